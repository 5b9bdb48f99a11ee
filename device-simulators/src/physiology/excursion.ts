/**
 * An excursion pulls a physiological value towards a target for a while and lets it go again: a hypo after
 * too much insulin, a high after a missed dose, a blood-pressure spike. The value is blended towards `target`
 * with a weight that rises over `rampMs`, stays 1 for `holdMs`, and falls back over `recoverMs`.
 */
export interface Excursion {
  startMs: number;
  rampMs: number;
  holdMs: number;
  recoverMs: number;
  target: number;
}

export const excursionEndMs = (excursion: Excursion): number => excursion.startMs + excursion.rampMs + excursion.holdMs + excursion.recoverMs;

/** 0 outside the excursion, 1 during its hold, a cosine ease in between. */
export function excursionWeight(timeMs: number, excursion: Excursion): number {
  const { startMs, rampMs, holdMs, recoverMs } = excursion;
  const ease = (fraction: number) => (1 - Math.cos(Math.PI * Math.min(1, Math.max(0, fraction)))) / 2;
  if (timeMs <= startMs || timeMs >= excursionEndMs(excursion)) return 0;
  if (timeMs < startMs + rampMs) return ease((timeMs - startMs) / rampMs);
  if (timeMs <= startMs + rampMs + holdMs) return 1;
  return 1 - ease((timeMs - startMs - rampMs - holdMs) / recoverMs);
}

/** The value after every excursion in turn has pulled it towards its target. */
export function applyExcursions(value: number, timeMs: number, excursions: readonly Excursion[]): number {
  let result = value;
  for (const excursion of excursions) {
    const weight = excursionWeight(timeMs, excursion);
    if (weight > 0) result = result * (1 - weight) + excursion.target * weight;
  }
  return result;
}
