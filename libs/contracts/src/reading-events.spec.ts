import { readingPartitionOf } from './reading-events.schema';

describe('readingPartitionOf', () => {
  it('puts a patient in the same partition in every process and version (FNV-1a of the id)', () => {
    expect(readingPartitionOf('5b0e2cb6-7a3c-4a44-9a55-0e7f1f1d2a10', 16)).toBe(readingPartitionOf('5b0e2cb6-7a3c-4a44-9a55-0e7f1f1d2a10', 16));
    expect([readingPartitionOf('', 16), readingPartitionOf('a', 1024), readingPartitionOf('a', 16)]).toEqual([
      0x811c9dc5 % 16,
      0xe40c292c % 1024,
      0xe40c292c % 16,
    ]);
  });

  it('spreads patients over the partitions', () => {
    const counts = new Array<number>(16).fill(0);
    for (let n = 0; n < 16_000; n++) counts[readingPartitionOf(`00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, 16)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });
});
