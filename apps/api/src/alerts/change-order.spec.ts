import { Subject, firstValueFrom, from, toArray } from 'rxjs';
import { filterInOrder, replayThenLive } from './change-order';

describe('the order of alert changes told to a stream', () => {
  it('holds live changes back until the replayed snapshot is out, so the newest status is told last', () => {
    const live = new Subject<string>();
    const replay = new Subject<string>();
    const told: string[] = [];
    const subscription = replayThenLive(live, replay).subscribe((change) => told.push(change));
    // The alert resolves while the snapshot (read before the resolve committed) is still on its way.
    live.next('a resolved');
    replay.next('a open');
    replay.next('b open');
    expect(told).toEqual(['a open', 'b open']);
    replay.complete();
    live.next('b resolved');
    expect(told).toEqual(['a open', 'b open', 'a resolved', 'b resolved']);
    subscription.unsubscribe();
    expect(live.observed).toBe(false);
  });

  it('ends when live ends, once the replay is out', async () => {
    const live = new Subject<string>();
    const replay = new Subject<string>();
    const all = firstValueFrom(replayThenLive(live, replay).pipe(toArray()));
    live.next('a resolved');
    live.complete();
    replay.next('a open');
    replay.complete();
    expect(await all).toEqual(['a open', 'a resolved']);
  });

  it('keeps changes in order though a later check answers first', async () => {
    const source = new Subject<{ change: string; answerAfterMs: number; visible: boolean }>();
    const kept: string[] = [];
    source
      .pipe(filterInOrder(({ answerAfterMs, visible }) => new Promise<boolean>((resolve) => setTimeout(() => resolve(visible), answerAfterMs))))
      .subscribe(({ change }) => kept.push(change));
    source.next({ change: 'a open', answerAfterMs: 40, visible: true });
    source.next({ change: 'x open', answerAfterMs: 0, visible: false });
    source.next({ change: 'a resolved', answerAfterMs: 1, visible: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(kept).toEqual(['a open', 'a resolved']);
  });

  it('drops a change whose check fails', async () => {
    const kept = await firstValueFrom(
      from(['a open', 'b open']).pipe(
        filterInOrder((change) => (change.startsWith('a') ? Promise.reject(new Error('database gone')) : Promise.resolve(true))),
        toArray(),
      ),
    );
    expect(kept).toEqual(['b open']);
  });
});
