import { Injectable, Logger } from '@nestjs/common';
import { AlertingMetrics } from '../observability/alerting-metrics';

export type JobName = 'scheduled-rules' | 'follow-up' | 'escalation' | 'deliveries' | 'patient-reported-alerts' | 'patient-sign-in-links';

/**
 * Keeps one patient's or row's failure inside that item: a job loops over many, and one poisoned item
 * (a corrupted override, a row the database refuses) must not stop the others. The failure is logged
 * with the item's identifiers (never reading values) and counted in rpm_alerting_job_failures_total.
 */
@Injectable()
export class JobFailures {
  private readonly logger = new Logger('JobFailures');

  constructor(private readonly metrics: AlertingMetrics) {}

  /** Runs `task`; on failure logs and counts it and resolves false, so the caller's loop goes on. */
  async isolate(job: JobName, item: Record<string, string | number>, task: () => Promise<unknown>): Promise<boolean> {
    try {
      await task();
      return true;
    } catch (error) {
      this.record(job, item, error);
      return false;
    }
  }

  record(job: JobName, item: Record<string, string | number>, error: unknown): void {
    this.metrics.jobFailures.inc({ job });
    this.logger.error({ message: `job ${job} failed for one item; it goes on with the others`, job, ...item, error: errorMessage(error) });
  }
}

/** The error's message, shortened: a driver message can quote a whole statement. */
function errorMessage(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}...` : message;
}
