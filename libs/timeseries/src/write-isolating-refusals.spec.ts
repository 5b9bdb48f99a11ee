import { ReadingStoreRejection } from './reading-store-rejection';
import { writeIsolatingRefusals } from './write-isolating-refusals';

/** A store that refuses any write containing a poisoned number, and counts its calls. */
function storeRefusing(poisoned: Set<number>) {
  const written: number[] = [];
  let calls = 0;
  const write = async (items: readonly number[]) => {
    calls++;
    const bad = items.find((item) => poisoned.has(item));
    if (bad !== undefined) throw new ReadingStoreRejection(`value ${bad} refused`);
    written.push(...items);
  };
  return { write, written, calls: () => calls };
}

describe('writeIsolatingRefusals', () => {
  const items = Array.from({ length: 1000 }, (_, n) => n);

  it('writes a clean batch in one call', async () => {
    const store = storeRefusing(new Set());
    expect(await writeIsolatingRefusals(items, store.write)).toEqual({ stored: items, refused: [] });
    expect(store.calls()).toBe(1);
  });

  it('sets aside exactly the refused items with their reasons, stores the rest in order, in few calls', async () => {
    const store = storeRefusing(new Set([0, 417, 999]));
    const { stored, refused } = await writeIsolatingRefusals(items, store.write);
    expect(refused).toEqual([0, 417, 999].map((item) => ({ item, reason: `value ${item} refused` })));
    expect(stored).toEqual(items.filter((item) => ![0, 417, 999].includes(item)));
    expect(store.written.sort((a, b) => a - b)).toEqual(stored);
    expect(store.calls()).toBeLessThan(70);
  });

  it('lets an availability error through, so the whole batch is retried', async () => {
    const down = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    await expect(writeIsolatingRefusals(items, down)).rejects.toThrow('ECONNREFUSED');
  });
});
