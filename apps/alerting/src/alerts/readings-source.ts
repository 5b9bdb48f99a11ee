/**
 * Where alerting takes the accepted readings from: the broker's topic (AcceptedReadingsConsumer, one
 * process) or the partitioned reading log (PartitionedReadingsConsumer, several). Readiness and metrics
 * read it; the module binds whichever EVENT_LOG_URL selects.
 */
export abstract class ReadingsSource {
  abstract readonly isConnected: boolean;
  /** Seconds since readings were last evaluated, or undefined when none have been since start. */
  abstract lastEventAgeSeconds(now?: number): number | undefined;
}
