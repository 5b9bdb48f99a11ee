import { appendFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReadingSpool, SpoolFullError } from './reading-spool';
import { spooledReading as reading } from './reading-spool.fixture';

describe('ReadingSpool (on a real file system)', () => {
  let dir: string;
  const options = () => ({ dir, maxBytes: 1024 * 1024, segmentBytes: 4096 });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rpm-spool-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('gives back, after a reopen, every appended reading that was not released, in order', async () => {
    const spool = await ReadingSpool.open(options());
    await Promise.all(Array.from({ length: 50 }, (_, n) => spool.append([reading(n)])));
    await spool.release(spool.peek(20)[19].recordNo);
    await spool.close();

    const reopened = await ReadingSpool.open(options());
    expect(reopened.peek(1000).map((entry) => entry.reading.seq)).toEqual(Array.from({ length: 30 }, (_, n) => n + 20));
    await reopened.append([reading(99)]);
    expect(reopened.peek(1000).map((entry) => entry.recordNo)).toEqual(Array.from({ length: 31 }, (_, n) => n + 21));
    await reopened.close();
  });

  it('deletes segment files once everything in them is released', async () => {
    const spool = await ReadingSpool.open(options());
    for (let n = 0; n < 100; n++) await spool.append([reading(n)]);
    expect((await readdir(dir)).filter((name) => name.startsWith('segment-')).length).toBeGreaterThan(3);
    await spool.release(spool.peek(1000).at(-1)!.recordNo);
    expect((await readdir(dir)).filter((name) => name.startsWith('segment-'))).toHaveLength(1);
    expect(spool.stats()).toEqual(expect.objectContaining({ pendingReadings: 0, pendingBytes: 0 }));
    await spool.close();
    expect((await ReadingSpool.open(options())).peek(10)).toEqual([]);
  });

  it('drops a record torn by a crash mid-write and keeps the intact ones', async () => {
    const spool = await ReadingSpool.open(options());
    await spool.append([reading(1), reading(2)]);
    await spool.close();
    const [segment] = (await readdir(dir)).filter((name) => name.startsWith('segment-'));
    await appendFile(path.join(dir, segment), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 123, 34]));
    const reopened = await ReadingSpool.open(options());
    expect(reopened.peek(10).map((entry) => entry.reading.seq)).toEqual([1, 2]);
    await reopened.append([reading(3)]);
    await reopened.close();
    expect((await ReadingSpool.open(options())).peek(10).map((entry) => entry.reading.seq)).toEqual([1, 2, 3]);
  });

  it('refuses appends past its bound, and takes them again once readings are released', async () => {
    const spool = await ReadingSpool.open({ ...options(), maxBytes: 2000 });
    let stored = 0;
    for (;;) {
      try {
        await spool.append([reading(stored)]);
        stored++;
      } catch (error) {
        expect(error).toBeInstanceOf(SpoolFullError);
        break;
      }
    }
    expect(stored).toBeGreaterThan(3);
    expect(spool.stats().pendingBytes).toBeLessThanOrEqual(2000);
    await spool.release(spool.peek(1)[0].recordNo);
    await expect(spool.append([reading(1000)])).resolves.toBeUndefined();
    await spool.close();
  });

  it('wakes a waiting drainer when readings arrive', async () => {
    const spool = await ReadingSpool.open(options());
    const woken = spool.whenPending().then(() => spool.peek(10).length);
    await spool.append([reading(1)]);
    await expect(woken).resolves.toBe(1);
    await spool.close();
  });

  it('writes the checkpoint file only when the checkpoint moves: an idle drain writes nothing', async () => {
    const spool = await ReadingSpool.open(options());
    await spool.append([reading(1), reading(2)]);
    const last = spool.peek(10)[1].recordNo;
    await spool.release(last);
    const file = path.join(dir, 'checkpoint');
    const written = await stat(file);
    expect(spool.checkpointFileWrites).toBe(1);
    for (let n = 0; n < 5; n++) await spool.release(last);
    await spool.release(last - 1);
    await spool.close();
    expect(spool.checkpointFileWrites).toBe(1);
    const after = await stat(file);
    expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs]);
  });

  it('writes a moving checkpoint at most once per interval, the latest value, and the last one at close', async () => {
    const spool = await ReadingSpool.open({ ...options(), checkpointEveryMs: 300 });
    await spool.append(Array.from({ length: 30 }, (_, n) => reading(n)));
    const records = spool.peek(30).map((entry) => entry.recordNo);
    for (const recordNo of records.slice(0, 10)) await spool.release(recordNo);
    // The first release writes at once; the nine after it within the interval wait for it.
    expect(spool.checkpointFileWrites).toBe(1);
    expect(await readFile(path.join(dir, 'checkpoint'), 'utf8')).toBe(String(records[0]));
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(spool.checkpointFileWrites).toBe(2);
    expect(await readFile(path.join(dir, 'checkpoint'), 'utf8')).toBe(String(records[9]));
    await spool.release(records[29]);
    await spool.close();
    expect(spool.checkpointFileWrites).toBe(3);
    expect((await ReadingSpool.open(options())).peek(100)).toEqual([]);
  });
});
