/**
 * Seeded randomness for the physiology models. Everything here is a pure function of its arguments, so the
 * same seed gives the same readings on every run and on every machine (no Math.random, no clock).
 *
 * Two tools:
 * - `Random`, a sequential PRNG (mulberry32) for drawing a day's plan (meal times, episodes) in order;
 * - `hashUnit(...)`, a stateless hash to a number in [0, 1), for noise at a given instant: a reading's noise
 *   then does not depend on where a simulation window starts, so backfill and live runs agree reading for reading.
 */

/** 32-bit FNV-1a over the parts, mixed with murmur3's finaliser for a good spread of nearby inputs. */
export function hash32(...parts: (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    const text = `${String(part)}\u0000`;
    for (let index = 0; index < text.length; index++) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A number in [0, 1) determined by the parts alone. */
export const hashUnit = (...parts: (string | number)[]): number => hash32(...parts) / 2 ** 32;

/** A standard normal deviate determined by the parts alone (Box-Muller over two hashes). */
export function hashNormal(...parts: (string | number)[]): number {
  const u1 = Math.max(hashUnit(...parts, 'n1'), Number.EPSILON);
  const u2 = hashUnit(...parts, 'n2');
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** mulberry32: a small, fast, well-tested 32-bit PRNG; ample for simulation (not for secrets). */
export class Random {
  private state: number;

  constructor(...seedParts: (string | number)[]) {
    this.state = hash32(...seedParts);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A whole number in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Normal with the given mean and standard deviation (Box-Muller). */
  normal(mean = 0, sd = 1): number {
    const u1 = Math.max(this.next(), Number.EPSILON);
    const u2 = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/**
 * Smooth, deterministic "value noise" in [-1, 1]: random values at knots `periodMs` apart, joined with a
 * cosine ease. Models slow drifts (stress, sensor drift) that a pure per-reading noise cannot.
 */
export function smoothNoise(timeMs: number, periodMs: number, ...parts: (string | number)[]): number {
  const knot = Math.floor(timeMs / periodMs);
  const fraction = timeMs / periodMs - knot;
  const left = hashUnit(...parts, knot) * 2 - 1;
  const right = hashUnit(...parts, knot + 1) * 2 - 1;
  const ease = (1 - Math.cos(Math.PI * fraction)) / 2;
  return left + (right - left) * ease;
}
