import { ReadingStoreRejection } from './reading-store-rejection';

export interface IsolatedWrite<T> {
  /** Written, in their original order. */
  stored: T[];
  /** Refused on their own, each with the store's reason. */
  refused: { item: T; reason: string }[];
}

/**
 * Writes items in one call and, only when the store refuses that call for its data, bisects: halves are
 * written on their own until every refused item stands alone. k bad items in n cost about 2k·log2(n)
 * extra writes, and nothing extra when all is well. Any other error (the store unavailable) propagates,
 * so the caller retries the whole lot; stores write idempotently, so halves already written are harmless.
 */
export async function writeIsolatingRefusals<T>(items: readonly T[], write: (items: readonly T[]) => Promise<unknown>): Promise<IsolatedWrite<T>> {
  const result: IsolatedWrite<T> = { stored: [], refused: [] };
  await writePart(items, write, result);
  return result;
}

async function writePart<T>(items: readonly T[], write: (items: readonly T[]) => Promise<unknown>, result: IsolatedWrite<T>): Promise<void> {
  if (items.length === 0) return;
  try {
    await write(items);
    result.stored.push(...items);
  } catch (error) {
    if (!(error instanceof ReadingStoreRejection)) throw error;
    if (items.length === 1) {
      result.refused.push({ item: items[0], reason: error.reason });
      return;
    }
    const middle = Math.ceil(items.length / 2);
    await writePart(items.slice(0, middle), write, result);
    await writePart(items.slice(middle), write, result);
  }
}
