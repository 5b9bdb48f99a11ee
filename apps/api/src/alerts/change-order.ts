import { Observable, concatMap, filter, map, type OperatorFunction } from 'rxjs';

/**
 * `replay` (a snapshot read once `live` is subscribed), then `live`: live values that arrive while the snapshot is
 * being read are held back until it is out. An alert change committed after the subscription comes live, in commit
 * order; so held back behind the snapshot, the last value told about an alert is always its newest status, never
 * the snapshot's older one arriving after a live change.
 */
export function replayThenLive<T>(live: Observable<T>, replay: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let held: T[] | undefined = [];
    let liveEnded = false;
    const liveSubscription = live.subscribe({
      next: (value) => (held ? held.push(value) : subscriber.next(value)),
      error: (error: unknown) => subscriber.error(error),
      complete: () => (held ? (liveEnded = true) : subscriber.complete()),
    });
    const replaySubscription = replay.subscribe({
      next: (value) => subscriber.next(value),
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        const release = held ?? [];
        held = undefined;
        for (const value of release) subscriber.next(value);
        if (liveEnded) subscriber.complete();
      },
    });
    return () => {
      replaySubscription.unsubscribe();
      liveSubscription.unsubscribe();
    };
  });
}

/** Keeps the values `keep` allows, in the order they came: the checks run side by side, the answers are taken in turn. */
export function filterInOrder<T>(keep: (value: T) => Promise<boolean>): OperatorFunction<T, T> {
  return (source) =>
    source.pipe(
      map((value) => ({ value, kept: keep(value).catch(() => false) })),
      concatMap(async ({ value, kept }) => ({ value, kept: await kept })),
      filter(({ kept }) => kept),
      map(({ value }) => value),
    );
}
