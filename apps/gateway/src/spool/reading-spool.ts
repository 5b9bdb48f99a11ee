import type { NormalizedReading } from '@rpm/contracts';
import { mkdir, open, readdir, readFile, rename, rm, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { decodeFrames, encodeFrame } from './spool-frame';

export interface SpoolEntry {
  recordNo: number;
  reading: NormalizedReading;
  bytes: number;
  appendedAt: number;
}

export interface SpoolOptions {
  dir: string;
  /** Appends beyond this many pending bytes are refused: the device is not acknowledged and resends. */
  maxBytes: number;
  /**
   * The checkpoint file is rewritten at most this often (default 1000 ms): a release in between is recorded in
   * memory and written when the interval is up, or at close. Losing it only replays readings the store has.
   */
  checkpointEveryMs?: number;
  /** A new segment file starts past this size, so drained data can be deleted file by file. */
  segmentBytes: number;
}

export interface SpoolStats {
  pendingReadings: number;
  pendingBytes: number;
  maxBytes: number;
  oldestPendingAgeMs: number;
}

export class SpoolFullError extends Error {
  constructor(maxBytes: number) {
    super(`the spool holds its maximum of ${maxBytes} bytes of readings not yet in the store`);
  }
}

interface Segment {
  path: string;
  firstRecordNo: number;
  lastRecordNo: number;
  bytes: number;
}

interface PendingAppend {
  entries: SpoolEntry[];
  frames: Buffer[];
  resolve: () => void;
  reject: (error: Error) => void;
}

const SEGMENT_PATTERN = /^segment-(\d{16})\.log$/;
const segmentName = (firstRecordNo: number) => `segment-${String(firstRecordNo).padStart(16, '0')}.log`;

/**
 * The gateway's write-ahead log. A reading is acknowledged to its device once its append resolves,
 * which is after fdatasync; appends that arrive while one sync runs are written and synced together
 * (group commit), so the cost of a sync is shared by every reading waiting for it. A drainer moves
 * pending readings to the store and then releases them; after a crash, open() returns every reading
 * that was appended and not released, and the store's idempotent writes absorb any replay.
 */
export class ReadingSpool {
  private readonly pending: SpoolEntry[] = [];
  private pendingBytes = 0;
  /** Bytes promised to appends still being written, counted against maxBytes. */
  private reservedBytes = 0;
  private readonly queue: PendingAppend[] = [];
  private flushing = false;
  private pendingWaiters: (() => void)[] = [];
  private appended?: { promise: Promise<void>; resolve: () => void };
  /** The checkpoint as last written to its file, when, and the write under way or scheduled. */
  private writtenCheckpoint: number;
  private checkpointWrittenAt = 0;
  private checkpointTimer?: NodeJS.Timeout;
  private checkpointWriting: Promise<void> = Promise.resolve();
  private checkpointWrites = 0;
  private segments: Segment[] = [];
  private current?: { handle: FileHandle; segment: Segment };

  private constructor(
    private readonly options: SpoolOptions,
    private nextRecordNo: number,
    private checkpoint: number,
  ) {
    this.writtenCheckpoint = checkpoint;
  }

  static async open(options: SpoolOptions): Promise<ReadingSpool> {
    await mkdir(options.dir, { recursive: true });
    const checkpoint = await readCheckpoint(options.dir);
    const names = (await readdir(options.dir)).filter((name) => SEGMENT_PATTERN.test(name)).sort();
    const spool = new ReadingSpool(options, checkpoint + 1, checkpoint);
    for (const name of names) {
      const file = path.join(options.dir, name);
      const firstRecordNo = Number(SEGMENT_PATTERN.exec(name)![1]);
      const data = await readFile(file);
      const { bodies, validBytes } = decodeFrames(data);
      if (validBytes < data.length) await truncate(file, validBytes);
      const segment: Segment = { path: file, firstRecordNo, lastRecordNo: firstRecordNo + bodies.length - 1, bytes: validBytes };
      spool.segments.push(segment);
      bodies.forEach((body, index) => {
        const recordNo = firstRecordNo + index;
        if (recordNo <= checkpoint) return;
        spool.pending.push({ recordNo, reading: JSON.parse(body.toString()), bytes: body.length, appendedAt: Date.now() });
        spool.pendingBytes += body.length;
      });
      spool.nextRecordNo = Math.max(spool.nextRecordNo, segment.lastRecordNo + 1);
    }
    await spool.deleteDrainedSegments();
    return spool;
  }

  /** Resolves once the readings are on disk (fdatasync); rejects with SpoolFullError when full. */
  append(readings: readonly NormalizedReading[]): Promise<void> {
    if (readings.length === 0) return Promise.resolve();
    const now = Date.now();
    const bodies = readings.map((reading) => Buffer.from(JSON.stringify(reading)));
    const bytes = bodies.reduce((sum, body) => sum + body.length, 0);
    if (this.pendingBytes + this.reservedBytes + bytes > this.options.maxBytes) {
      return Promise.reject(new SpoolFullError(this.options.maxBytes));
    }
    this.reservedBytes += bytes;
    const entries = readings.map((reading, index) => ({
      recordNo: this.nextRecordNo++,
      reading,
      bytes: bodies[index].length,
      appendedAt: now,
    }));
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, frames: bodies.map(encodeFrame), resolve, reject });
      void this.flush();
    });
  }

  /** The oldest pending readings, durable and not yet released. */
  peek(max: number): SpoolEntry[] {
    return this.pending.slice(0, max);
  }

  /** Resolves when at least one reading is pending. */
  whenPending(): Promise<void> {
    if (this.pending.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.pendingWaiters.push(resolve));
  }

  /** Resolves at the next append that lands on disk (whether or not readings were pending before it). */
  whenAppended(): Promise<void> {
    if (!this.appended) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.appended = { promise, resolve };
    }
    return this.appended.promise;
  }

  /** How many times the checkpoint file was written since open (for tests and the idle-cost check). */
  get checkpointFileWrites(): number {
    return this.checkpointWrites;
  }

  /**
   * Records that every reading up to recordNo is in the store. The checkpoint file is written only when the
   * checkpoint moves, and at most once per checkpointEveryMs; a crash in between replays what the store has.
   */
  async release(upToRecordNo: number): Promise<void> {
    // One splice, not a shift per record: shift is O(n) and a deep backlog made release quadratic.
    let released = 0;
    while (released < this.pending.length && this.pending[released].recordNo <= upToRecordNo) {
      this.pendingBytes -= this.pending[released].bytes;
      released++;
    }
    this.pending.splice(0, released);
    if (upToRecordNo <= this.checkpoint) return;
    this.checkpoint = upToRecordNo;
    const wait = this.checkpointWrittenAt + (this.options.checkpointEveryMs ?? 1000) - Date.now();
    if (wait <= 0) await this.writeCheckpoint();
    else if (!this.checkpointTimer) {
      this.checkpointTimer = setTimeout(() => void this.writeCheckpoint().catch(() => undefined), wait);
      this.checkpointTimer.unref();
    }
  }

  /** Writes the checkpoint if it moved since the last write, then deletes the segments it covers. */
  private writeCheckpoint(): Promise<void> {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    this.checkpointWriting = this.checkpointWriting
      .catch(() => undefined)
      .then(async () => {
        const checkpoint = this.checkpoint;
        if (checkpoint === this.writtenCheckpoint) return;
        this.checkpointWrittenAt = Date.now();
        // Losing the checkpoint only replays readings the store already has, so it needs no sync.
        const file = path.join(this.options.dir, 'checkpoint');
        await writeFile(`${file}.tmp`, String(checkpoint));
        await rename(`${file}.tmp`, file);
        this.checkpointWrites++;
        this.writtenCheckpoint = checkpoint;
        // Segments go only once the checkpoint that covers them is on disk: a crash must not lose unreleased readings.
        await this.deleteDrainedSegments(checkpoint);
      });
    return this.checkpointWriting;
  }

  stats(): SpoolStats {
    return {
      pendingReadings: this.pending.length,
      pendingBytes: this.pendingBytes,
      maxBytes: this.options.maxBytes,
      oldestPendingAgeMs: this.pending.length ? Date.now() - this.pending[0].appendedAt : 0,
    };
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.writeCheckpoint();
    await this.current?.handle.close();
    this.current = undefined;
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        const frames = batch.flatMap((append) => append.frames);
        const entries = batch.flatMap((append) => append.entries);
        const bytes = entries.reduce((sum, entry) => sum + entry.bytes, 0);
        try {
          const { handle, segment } = await this.writableSegment(entries[0].recordNo);
          await handle.writev(frames);
          await handle.datasync();
          segment.lastRecordNo = entries[entries.length - 1].recordNo;
          segment.bytes += frames.reduce((sum, frame) => sum + frame.length, 0);
        } catch (error) {
          this.reservedBytes -= bytes;
          // Numbers given to the lost batch are skipped, never reused: a new segment starts after them.
          await this.current?.handle.close().catch(() => undefined);
          this.current = undefined;
          for (const append of batch) append.reject(error as Error);
          continue;
        }
        this.reservedBytes -= bytes;
        this.pending.push(...entries);
        this.pendingBytes += bytes;
        for (const append of batch) append.resolve();
        for (const wake of this.pendingWaiters.splice(0)) wake();
        const appended = this.appended;
        this.appended = undefined;
        appended?.resolve();
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writableSegment(firstRecordNo: number): Promise<{ handle: FileHandle; segment: Segment }> {
    if (this.current && this.current.segment.bytes < this.options.segmentBytes) return this.current;
    await this.current?.handle.close();
    const segment: Segment = {
      path: path.join(this.options.dir, segmentName(firstRecordNo)),
      firstRecordNo,
      lastRecordNo: firstRecordNo - 1,
      bytes: 0,
    };
    const handle = await open(segment.path, 'a');
    this.segments.push(segment);
    this.current = { handle, segment };
    return this.current;
  }

  private async deleteDrainedSegments(upTo = this.checkpoint): Promise<void> {
    const drained = this.segments.filter((segment) => segment !== this.current?.segment && segment.lastRecordNo <= upTo);
    for (const segment of drained) await rm(segment.path, { force: true });
    this.segments = this.segments.filter((segment) => !drained.includes(segment));
  }
}

async function readCheckpoint(dir: string): Promise<number> {
  try {
    const value = Number((await readFile(path.join(dir, 'checkpoint'), 'utf8')).trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  } catch {
    return 0;
  }
}
