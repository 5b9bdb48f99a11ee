import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { canOpenUrgent, DEFAULT_RULES } from '@rpm/clinical';
import { acceptedReadingsEventSchema, readingPartitionOf, readingPartitionSubject, type NormalizedReading } from '@rpm/contracts';
import { PartitionLeases } from '@rpm/persistence';
import { closeReadingLog, openReadingLog, type ReadingLog } from '@rpm/platform';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { EvaluationLag } from './evaluation-lag';
import { EvaluationQueue, type Lane } from './evaluation-queue';
import { ReadingEvaluator } from './reading-evaluator';
import { ReadingsSource } from './readings-source';
import { RuleStates } from './rule-states';

/** How often an instance counts the live instances, takes or gives back partitions, and measures its lag. */
const REBALANCE_EVERY_MS = 1000;
/** Readings read ahead of evaluation per partition at most. */
const MAX_PENDING_READINGS = 20_000;
/** Events unacknowledged per partition at most: NATS stops delivering past it. */
const MAX_ACK_PENDING = 20_000;
/**
 * Batches evaluated at once over all of an instance's partitions: the single-queue consumer's three workers' worth,
 * so the database pool (10) keeps room for delivery and the jobs however many partitions an instance owns. One of
 * them is kept for batches that can page.
 */
const CONCURRENT_BATCHES = 3;
/** Longest a released partition waits for its evaluation in progress before being let go unacknowledged. */
const RELEASE_WAIT_MS = 10_000;

interface Owned {
  partition: number;
  queue: EvaluationQueue;
  messages?: ConsumerMessages;
  loop?: Promise<void>;
  /** Stored time (ms) of the partition's oldest unacknowledged event, from the last survey; undefined when none waits. */
  oldestUnackedMs?: number;
  /** Events in the log not yet acknowledged (delivered or not), from the last survey. */
  unacked: number;
}

/**
 * Consumes the partitioned reading log (EVENT_LOG_URL). Each partition is owned by one live alerting instance
 * at a time, through a lease (PartitionLeases: a PostgreSQL advisory lock on a connection of its own, which a
 * dead process's connection takes with it); an instance holds its fair share (partitions / live instances,
 * rounded up), gives back the rest when instances join and takes free ones when instances leave.
 *
 * An owner reads its partition through a durable JetStream consumer (`alerting-p<k>`) in stream order, so a
 * patient's readings are evaluated in the order the gateway stored them, and acknowledges each event once its
 * alerts are committed, in order, so the consumer's ack floor is a checkpoint. On taking a partition the owner
 * recreates the consumer from that floor: what the previous owner evaluated but had not acknowledged comes
 * again, in order and at once rather than after an ack timeout, and the episode logic absorbs it (an open
 * episode is extended, a resolved one is not reopened, nothing is paged twice). It also forgets the partition's
 * patients' rule states, which the previous owner may have moved on.
 */
@Injectable()
export class PartitionedReadingsConsumer extends ReadingsSource implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PartitionedReadingsConsumer.name);
  private log?: ReadingLog;
  private leases?: PartitionLeases;
  private readonly owned = new Map<number, Owned>();
  private timer?: NodeJS.Timeout;
  private rebalancing?: Promise<void>;
  private stopped = false;
  private natsUp = false;
  private lastEventAt?: number;
  private readonly slots = new EvaluationSlots(CONCURRENT_BATCHES);

  constructor(
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    private readonly evaluator: ReadingEvaluator,
    private readonly states: RuleStates,
    private readonly lag: EvaluationLag,
    private readonly metrics: AlertingMetrics,
  ) {
    super();
    lag.track(() => this.oldestPendingAgeMs());
    metrics.partitionsOwned.setSource(() => this.owned.size);
    metrics.logUnackedEvents.setSource(() => [...this.owned.values()].reduce((sum, owned) => sum + owned.unacked, 0));
  }

  get isConnected(): boolean {
    return this.natsUp && this.leases !== undefined && !this.leases.isLost;
  }

  /** Partitions this instance owns now (tests and logs). */
  get partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  lastEventAgeSeconds(now = Date.now()): number | undefined {
    return this.lastEventAt === undefined ? undefined : (now - this.lastEventAt) / 1000;
  }

  async onApplicationBootstrap(): Promise<void> {
    const eventLog = this.config.eventLog!;
    this.log = await openReadingLog(eventLog, 'alerting');
    this.natsUp = true;
    void this.watchNats(this.log);
    await this.openLeases();
    await this.rebalance();
    this.timer = setInterval(() => void this.rebalance(), REBALANCE_EVERY_MS);
    this.logger.log({ message: 'alerting consumes the reading log', stream: eventLog.stream, partitions: this.partitions });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.rebalancing;
    await Promise.all([...this.owned.keys()].map((partition) => this.stopPartition(partition, RELEASE_WAIT_MS)));
    await this.leases?.close();
    await closeReadingLog(this.log);
  }

  private async watchNats(log: ReadingLog): Promise<void> {
    for await (const status of log.connection.status()) {
      if (status.type === 'disconnect') this.natsUp = false;
      if (status.type === 'reconnect') this.natsUp = true;
    }
  }

  private async openLeases(): Promise<void> {
    const leases = new PartitionLeases(this.config.databaseUrl, `readings:${this.config.eventLog!.stream}`, (error) => this.leasesLost(error));
    await leases.open();
    this.leases = leases;
  }

  /** The lease connection is gone, and every lease with it: stop reading at once, another instance may own them already. */
  private leasesLost(error: Error): void {
    if (this.stopped) return;
    this.logger.error({ message: 'partition lease connection lost; partitions given up', error: error.message, partitions: this.partitions });
    for (const partition of [...this.owned.keys()]) void this.stopPartition(partition, 0);
  }

  private rebalance(): Promise<void> {
    if (this.rebalancing || this.stopped) return this.rebalancing ?? Promise.resolve();
    this.rebalancing = this.balance()
      .catch((error: Error) => this.logger.warn({ message: 'partition rebalance failed; retrying', error: error.message }))
      .finally(() => (this.rebalancing = undefined));
    return this.rebalancing;
  }

  private async balance(): Promise<void> {
    if (!this.leases || this.leases.isLost) {
      await this.leases?.close();
      this.leases = undefined;
      await this.openLeases();
    }
    const leases = this.leases!;
    const { partitions } = this.config.eventLog!;
    const { members, held } = await leases.survey();
    const fair = Math.ceil(partitions / Math.max(1, members));
    // Give back the partitions above the fair share (the last taken first), then take free ones up to it.
    for (const partition of [...this.owned.keys()].reverse()) {
      if (this.owned.size <= fair || this.stopped) break;
      await this.stopPartition(partition, RELEASE_WAIT_MS);
      await leases.release(partition);
      this.logger.log({ message: 'partition handed over to another instance', partition, members });
    }
    const offset = Math.floor(Math.random() * partitions);
    for (let step = 0; step < partitions && this.owned.size < fair && !this.stopped; step++) {
      const partition = (offset + step) % partitions;
      if (held.has(partition) || this.owned.has(partition)) continue;
      if (!(await leases.tryAcquire(partition))) continue;
      try {
        await this.startPartition(partition);
      } catch (error) {
        await this.stopPartition(partition, 0);
        await leases.release(partition).catch(() => undefined);
        throw error;
      }
    }
    await this.survey();
  }

  private async startPartition(partition: number): Promise<void> {
    const { js, jsm, config } = this.log!;
    const owned: Owned = { partition, unacked: 0, queue: this.newQueue(partition) };
    this.owned.set(partition, owned);
    this.states.forget((patientId) => readingPartitionOf(patientId, config.partitions) === partition);
    const name = consumerName(partition);
    const previous = await jsm.consumers.info(config.stream, name).catch(() => undefined);
    const floor = previous?.ack_floor.stream_seq ?? 0;
    if (previous) await jsm.consumers.delete(config.stream, name);
    await jsm.consumers.add(config.stream, {
      durable_name: name,
      filter_subject: readingPartitionSubject(config.stream, partition),
      ack_policy: AckPolicy.Explicit,
      ...(floor > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 } : { deliver_policy: DeliverPolicy.All }),
      max_ack_pending: MAX_ACK_PENDING,
      // An owner acknowledges what it evaluated; a new owner starts from the ack floor, so redelivery by timeout is only for a lost ack.
      ack_wait: nanos(5 * 60_000),
    });
    const consumer = await js.consumers.get(config.stream, name);
    const messages = await consumer.consume({ max_messages: 1000 });
    owned.messages = messages;
    owned.loop = (async () => {
      for await (const message of messages) {
        this.metrics.eventsConsumed.inc();
        owned.queue.add(this.parse(message.data), () => message.ack());
        await owned.queue.whenBelow(MAX_PENDING_READINGS);
      }
    })().catch((error: Error) => this.logger.warn({ message: 'partition consumer ended', partition, error: error.message }));
    this.logger.log({ message: 'partition taken', partition, fromSequence: floor + 1 });
  }

  /** Stops reading the partition, lets its evaluation in progress finish (at most waitMs) and forgets the rest unacknowledged. */
  private async stopPartition(partition: number, waitMs: number): Promise<void> {
    const owned = this.owned.get(partition);
    if (!owned) return;
    this.owned.delete(partition);
    owned.messages?.stop();
    if (waitMs > 0) {
      const deadline = Date.now() + waitMs;
      while (owned.queue.pending > 0 && Date.now() < deadline) await sleep(20);
    }
    owned.queue.reset();
    await owned.loop;
  }

  private newQueue(partition: number): EvaluationQueue {
    return new EvaluationQueue({
      laneOf: (reading) => this.laneOf(reading),
      evaluate: (readings) => this.slots.run(this.batchLane(readings), () => this.evaluator.evaluate(readings)),
      onFailure: (error) => {
        this.logger.error({
          message: 'evaluation failed, events not acknowledged; the partition restarts from its last acknowledged event',
          partition,
          error: error.message,
        });
        // Restarting from the ack floor delivers the unacknowledged events again, in order.
        void this.stopPartition(partition, 0).then(async () => {
          await sleep(1000);
          if (this.stopped || !this.leases || this.leases.isLost) return;
          await this.startPartition(partition).catch(async (restartError: Error) => {
            this.logger.error({ message: 'partition restart failed; giving it up', partition, error: restartError.message });
            await this.stopPartition(partition, 0);
            await this.leases?.release(partition).catch(() => undefined);
          });
        });
      },
      onEvaluated: (count) => {
        this.lastEventAt = Date.now();
        this.lag.countEvaluated(count);
      },
    });
  }

  /** Per owned partition: the events not yet acknowledged and the stored time of the oldest of them. */
  private async survey(): Promise<void> {
    const { jsm, config } = this.log!;
    await Promise.all(
      [...this.owned.values()].map(async (owned) => {
        const info = await jsm.consumers.info(config.stream, consumerName(owned.partition)).catch(() => undefined);
        if (!info) return;
        owned.unacked = info.num_pending + info.num_ack_pending;
        if (owned.unacked === 0) {
          owned.oldestUnackedMs = undefined;
          return;
        }
        const oldest = await jsm.direct
          .getMessage(config.stream, { seq: info.ack_floor.stream_seq + 1, next_by_subj: readingPartitionSubject(config.stream, owned.partition) })
          .catch(() => null);
        owned.oldestUnackedMs = oldest ? oldest.time.getTime() : undefined;
      }),
    );
  }

  /** The age of the oldest reading not evaluated: in the queues (from its receipt at the gateway) or still in the log (from its storing there). */
  private oldestPendingAgeMs(): number {
    const now = Date.now();
    let oldest = 0;
    for (const owned of this.owned.values()) {
      oldest = Math.max(oldest, owned.queue.oldestPendingAgeMs());
      if (owned.oldestUnackedMs !== undefined) oldest = Math.max(oldest, now - owned.oldestUnackedMs);
    }
    return oldest;
  }

  private parse(payload: Uint8Array): NormalizedReading[] {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload).toString());
    } catch {
      json = undefined;
    }
    const event = acceptedReadingsEventSchema.safeParse(json);
    if (!event.success) {
      this.logger.error({ message: 'malformed accepted-readings event dropped' });
      return [];
    }
    return event.data.readings;
  }

  private batchLane(readings: readonly NormalizedReading[]): Lane {
    const lanes = new Set(readings.map((reading) => this.laneOf(reading)));
    return lanes.has('urgent') ? 'urgent' : lanes.has('live') ? 'live' : 'bulk';
  }

  private laneOf(reading: NormalizedReading): Lane {
    if (Date.now() - Date.parse(reading.measuredAt) > this.config.lateReadingMs) return 'bulk';
    return canOpenUrgent(DEFAULT_RULES, reading) ? 'urgent' : 'live';
  }
}

const consumerName = (partition: number): string => `alerting-p${partition}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A few evaluation slots shared by the partitions' queues: a waiting batch that can page goes first, and one slot is its alone. */
class EvaluationSlots {
  private busy = 0;
  private readonly waiting: Record<Lane, (() => void)[]> = { urgent: [], live: [], bulk: [] };

  constructor(private readonly size: number) {}

  async run<T>(lane: Lane, task: () => Promise<T>): Promise<T> {
    while (!this.canStart(lane)) await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
    this.busy++;
    try {
      return await task();
    } finally {
      this.busy--;
      this.wake();
    }
  }

  private canStart(lane: Lane): boolean {
    return this.busy < (lane === 'urgent' ? this.size : this.size - 1);
  }

  private wake(): void {
    for (const lane of ['urgent', 'live', 'bulk'] as const) {
      if (this.waiting[lane].length > 0 && this.canStart(lane)) return this.waiting[lane].shift()!();
    }
  }
}
