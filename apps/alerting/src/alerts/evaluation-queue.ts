import type { NormalizedReading } from '@rpm/contracts';

/**
 * urgent: a live reading that could open an urgent alert; live: any other reading measured lately; bulk:
 * readings measured long ago (backfill), which are recorded, never paged.
 */
export type Lane = 'urgent' | 'live' | 'bulk';

export interface EvaluationQueueOptions {
  laneOf: (reading: NormalizedReading) => Lane;
  /** Evaluates a batch of readings; one patient's readings are never in two batches at once. */
  evaluate: (readings: NormalizedReading[]) => Promise<void>;
  /** A batch failed: every pending event was dropped unacknowledged, for the broker to deliver again. */
  onFailure: (error: Error) => void;
  onEvaluated?: (count: number) => void;
  maxPatientsPerBatch?: number;
  maxReadingsPerPatient?: number;
  now?: () => number;
}

interface Ticket {
  pending: number;
  /** receivedAt of its oldest reading, ms. */
  oldestMs: number;
  ack: () => void;
  generation: number;
}

interface Item {
  reading: NormalizedReading;
  ticket: Ticket;
}

/** Which lanes each worker serves, in order of preference. */
const WORKERS = { urgent: ['urgent'], live: ['urgent', 'live'], bulk: ['bulk'] } as const satisfies Record<string, readonly Lane[]>;
type Worker = keyof typeof WORKERS;

/**
 * Readings waiting for evaluation, in three lanes served by three workers: one takes only urgent-capable
 * readings, one urgent-capable then other live readings, the third backfill, so neither a wearable backlog
 * nor a backfill delays a reading that can page, not even by the batch being evaluated when it arrives (a
 * burst's first batch rebuilds the state of dozens of dense streams from the store). Each lane is
 * round-robin over patients (at most maxReadingsPerPatient of one patient in a batch), so one dense stream
 * does not hold up the others. A patient's readings stay in the order they came: a patient with a pending
 * urgent-capable reading moves wholly to the urgent lane, its pending backfill joins its next live reading
 * ahead of it, and a patient being evaluated is skipped until its batch ends. An event is acknowledged once
 * all its readings are evaluated, events in the order they came.
 */
export class EvaluationQueue {
  private readonly lanes: Record<Lane, Map<string, Item[]>> = { urgent: new Map(), live: new Map(), bulk: new Map() };
  private readonly busy = new Set<string>();
  private tickets: Ticket[] = [];
  private generation = 0;
  private pendingReadings = 0;
  private readonly running: Record<Worker, boolean> = { urgent: false, live: false, bulk: false };
  private waiters: { below: number; resolve: () => void }[] = [];
  private readonly maxPatients: number;
  private readonly maxPerPatient: number;
  private readonly now: () => number;

  constructor(private readonly options: EvaluationQueueOptions) {
    this.maxPatients = options.maxPatientsPerBatch ?? 64;
    this.maxPerPatient = options.maxReadingsPerPatient ?? 256;
    this.now = options.now ?? Date.now;
  }

  /** Queues an event's readings; `ack` runs once they are all evaluated and every earlier event is acknowledged. */
  add(readings: readonly NormalizedReading[], ack: () => void): void {
    let oldestMs = Infinity;
    for (const reading of readings) oldestMs = Math.min(oldestMs, Date.parse(reading.receivedAt));
    const ticket: Ticket = { pending: readings.length, oldestMs, ack, generation: this.generation };
    this.tickets.push(ticket);
    for (const reading of readings) this.enqueue(this.options.laneOf(reading), { reading, ticket });
    this.pendingReadings += readings.length;
    this.settle();
    this.kick();
  }

  /** Age of the oldest reading not yet evaluated (from its receipt at the gateway), 0 when none waits. */
  oldestPendingAgeMs(): number {
    for (const ticket of this.tickets) if (ticket.pending > 0) return Math.max(0, this.now() - ticket.oldestMs);
    return 0;
  }

  get pending(): number {
    return this.pendingReadings;
  }

  /** Resolves once fewer than `count` readings wait: a consumer reads ahead only so far. */
  whenBelow(count: number): Promise<void> {
    if (this.pendingReadings < count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ below: count, resolve }));
  }

  /** Forgets every pending event without acknowledging it (the connection that brought them is gone). */
  reset(): void {
    this.generation++;
    for (const lane of Object.values(this.lanes)) lane.clear();
    this.tickets = [];
    this.pendingReadings = 0;
    this.wakeWaiters();
  }

  private enqueue(lane: Lane, item: Item): void {
    const patientId = item.reading.patientId;
    if (lane === 'bulk') return void this.append(this.lanes.bulk, patientId, [item]);
    // The patient's readings that came earlier, backfill included, go first and in one lane: one patient's
    // readings are judged in the order they came (an old episode judged after the live one would open again).
    const earlier = this.lanes.bulk.get(patientId) ?? [];
    this.lanes.bulk.delete(patientId);
    if (lane === 'urgent' && !this.lanes.urgent.has(patientId)) {
      const live = this.lanes.live.get(patientId) ?? [];
      this.lanes.live.delete(patientId);
      return void this.lanes.urgent.set(patientId, [...live, ...earlier, item]);
    }
    this.append(this.lanes.urgent.has(patientId) ? this.lanes.urgent : this.lanes[lane], patientId, [...earlier, item]);
  }

  private append(lane: Map<string, Item[]>, patientId: string, items: Item[]): void {
    const list = lane.get(patientId);
    if (!list) return void lane.set(patientId, items);
    for (const item of items) list.push(item);
  }

  private kick(except?: Worker): void {
    for (const worker of Object.keys(WORKERS) as Worker[]) if (worker !== except) void this.work(worker);
  }

  private async work(worker: Worker): Promise<void> {
    if (this.running[worker]) return;
    this.running[worker] = true;
    try {
      for (;;) {
        const batch = this.take(WORKERS[worker]);
        if (batch.length === 0) return;
        const patients = new Set(batch.map((item) => item.reading.patientId));
        for (const patientId of patients) this.busy.add(patientId);
        try {
          await this.options.evaluate(batch.map((item) => item.reading));
          this.done(batch);
        } catch (error) {
          if (batch[0].ticket.generation === this.generation) {
            this.reset();
            this.options.onFailure(error as Error);
          }
        } finally {
          for (const patientId of patients) this.busy.delete(patientId);
        }
        // A patient this batch held may be waiting in another worker's lane.
        this.kick(worker);
      }
    } finally {
      this.running[worker] = false;
    }
  }

  private take(lanes: readonly Lane[]): Item[] {
    const batch: Item[] = [];
    let patients = 0;
    for (const lane of lanes) {
      const queue = this.lanes[lane];
      const picked: string[] = [];
      for (const patientId of queue.keys()) {
        if (patients + picked.length >= this.maxPatients) break;
        if (!this.busy.has(patientId)) picked.push(patientId);
      }
      for (const patientId of picked) {
        const items = queue.get(patientId)!;
        batch.push(...items.splice(0, this.maxPerPatient));
        // Round-robin: a patient with more to come goes to the back of its lane.
        queue.delete(patientId);
        if (items.length > 0) queue.set(patientId, items);
      }
      patients += picked.length;
    }
    return batch;
  }

  private done(batch: Item[]): void {
    let counted = 0;
    for (const { ticket } of batch) {
      if (ticket.generation !== this.generation) continue;
      ticket.pending--;
      counted++;
    }
    this.pendingReadings -= counted;
    if (counted > 0) this.options.onEvaluated?.(counted);
    this.settle();
    this.wakeWaiters();
  }

  /** Acknowledges the finished events at the front, in arrival order. */
  private settle(): void {
    let acked = 0;
    while (acked < this.tickets.length && this.tickets[acked].pending === 0) this.tickets[acked++].ack();
    if (acked > 0) this.tickets = this.tickets.slice(acked);
  }

  private wakeWaiters(): void {
    const ready = this.waiters.filter((waiter) => this.pendingReadings < waiter.below);
    this.waiters = this.waiters.filter((waiter) => this.pendingReadings >= waiter.below);
    for (const waiter of ready) waiter.resolve();
  }
}
