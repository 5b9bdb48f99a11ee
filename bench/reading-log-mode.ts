import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { EvaluationResult, EvaluationWatch } from './evaluation-watch';
import type { LoadGenerator, StepResult, StoredObserver } from './load-generator';

/** A gauge's or counter's value from a Prometheus text page (its first sample); undefined when absent or unreachable. */
export async function scrapeValue(metricsUrl: string, name: string): Promise<number | undefined> {
  // Bounded: a stopped process (the stalled-alerting step) accepts the connection and never answers.
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(500) }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const text = await response.text().catch(() => '');
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Why NATS with JetStream cannot be used at `url`, or undefined when it can. */
export async function natsUnavailable(url: string): Promise<string | undefined> {
  const connection = await connect({ servers: url, timeout: 2_000, reconnect: false }).catch((error: Error) => error);
  if (connection instanceof Error) return `no NATS answers at ${url} (${connection.message})`;
  try {
    await (await jetstreamManager(connection)).getAccountInfo();
    return undefined;
  } catch (error) {
    return `NATS at ${url} has no JetStream (${(error as Error).message})`;
  } finally {
    await connection.close();
  }
}

/**
 * The bench's own reading log: a uniquely named stream, which gateway and alerting create when they start and
 * `delete` removes with alerting's consumers, touching no other stream on the machine's NATS.
 */
export class BenchReadingLog {
  readonly stream = `rpm_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

  constructor(
    readonly url: string,
    readonly partitions: number,
  ) {}

  get env(): Record<string, string> {
    return { EVENT_LOG_URL: this.url, EVENT_LOG_STREAM: this.stream, EVENT_LOG_PARTITIONS: String(this.partitions) };
  }

  /** Events the stream holds (undefined before it exists). */
  async messages(): Promise<number | undefined> {
    return this.withManager(async (jsm) => (await jsm.streams.info(this.stream).catch(() => undefined))?.state.messages);
  }

  async delete(): Promise<boolean> {
    return this.withManager((jsm) => jsm.streams.delete(this.stream).catch(() => false));
  }

  /**
   * "Stored" for the load generator: a plain (not JetStream) subscription to the stream's subjects receives each
   * event as NATS takes the gateway's publish, after the gateway's store write. It consumes nothing from the
   * stream, so alerting's durable consumers see every event as they would without it.
   */
  async observer(): Promise<StoredObserver> {
    const connection = await connect({ servers: this.url, name: 'bench-observer' });
    return new SubjectObserver(connection, connection.subscribe(`${this.stream}.*`));
  }

  private async withManager<T>(task: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>): Promise<T> {
    const connection = await connect({ servers: this.url, timeout: 2_000 });
    try {
      return await task(await jetstreamManager(connection));
    } finally {
      await connection.close();
    }
  }
}

class SubjectObserver extends EventEmitter implements StoredObserver {
  constructor(
    private readonly connection: NatsConnection,
    subscription: Subscription,
  ) {
    super();
    void (async () => {
      for await (const message of subscription) this.emit('message', message.subject, Buffer.from(message.data));
    })();
  }

  async endAsync(): Promise<void> {
    await this.connection.drain().catch(() => this.connection.close());
  }
}

export interface BacklogResult {
  /** Peak readings acknowledged by the gateway but not yet stored and announced (rpm_gateway_spool_pending_readings). */
  peakSpoolPending: number;
  /**
   * Peak events in the log that alerting had not yet acknowledged (rpm_alerting_log_unacked_events); null in the
   * embedded mode, which has no such gauge, or when alerting never answered (stopped for the whole step).
   */
  peakAlertingBacklog: number | null;
  /** The same two when the step's last reading was due: the drain is ahead when the first is far below the second. */
  atStepEnd: { spoolPending: number; alertingBacklog: number | null };
  /** Ms from the step's last reading's due time until alerting had evaluated every reading of the step (null: not in the wait). */
  caughtUpAfterMs: number | null;
}

/**
 * Samples the gateway's spool backlog and alerting's log backlog every `everyMs` during a step: whether the
 * gateway's drain stayed ahead (its spool near empty) while alerting lagged behind in the log.
 */
export class BacklogWatch {
  private samples: { at: number; spool: number; alerting?: number }[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight = false;

  constructor(
    private readonly gatewayMetricsUrl: string,
    private readonly alertingMetricsUrl: string | undefined,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.samples = [];
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  private async sample(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const [spool, alerting] = await Promise.all([
        scrapeValue(this.gatewayMetricsUrl, 'rpm_gateway_spool_pending_readings'),
        this.alertingMetricsUrl ? scrapeValue(this.alertingMetricsUrl, 'rpm_alerting_log_unacked_events') : undefined,
      ]);
      if (spool !== undefined) this.samples.push({ at: Date.now(), spool, alerting });
    } finally {
      this.inFlight = false;
    }
  }

  finish(stepEnd: number, caughtUpAt: number | null): BacklogResult {
    clearInterval(this.timer);
    const alerting = this.samples.filter((sample) => sample.alerting !== undefined).map((sample) => sample.alerting!);
    const atEnd = this.samples.reduce<(typeof this.samples)[number] | undefined>(
      (best, sample) => (!best || Math.abs(sample.at - stepEnd) < Math.abs(best.at - stepEnd) ? sample : best),
      undefined,
    );
    return {
      peakSpoolPending: Math.max(0, ...this.samples.map((sample) => sample.spool)),
      peakAlertingBacklog: alerting.length ? Math.max(...alerting) : null,
      atStepEnd: { spoolPending: atEnd?.spool ?? 0, alertingBacklog: atEnd?.alerting ?? null },
      caughtUpAfterMs: caughtUpAt === null ? null : Math.max(0, caughtUpAt - stepEnd),
    };
  }
}

/**
 * Alerting stopped (SIGSTOP) for the whole step and resumed (SIGCONT) after it: the slow consumer at its
 * slowest. What the devices and the gateway's drain see meanwhile, and whether alerting catches up with every
 * reading afterwards.
 */
export async function stalledAlertingStep(
  load: LoadGenerator,
  rate: number,
  seconds: number,
  alertingPid: number,
  watch: EvaluationWatch,
  backlog: BacklogWatch,
  catchUpMs: number,
): Promise<StepResult & { evaluation: EvaluationResult; backlog: BacklogResult }> {
  await watch.start();
  backlog.start();
  process.kill(alertingPid, 'SIGSTOP');
  let step: StepResult;
  try {
    step = await load.step(rate, seconds);
  } finally {
    process.kill(alertingPid, 'SIGCONT');
  }
  const evaluation = await watch.finish(step, catchUpMs);
  const caughtUpAt = evaluation.evaluated === step.sent ? Date.now() : null;
  return { ...step, evaluation, backlog: backlog.finish(step.scheduledStart + step.sent * step.intervalMs, caughtUpAt) };
}
