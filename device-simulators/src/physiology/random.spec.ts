import { Random, hash32, hashNormal, hashUnit, smoothNoise } from './random';

describe('seeded randomness', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: string) => {
      const random = new Random(seed);
      return Array.from({ length: 20 }, () => random.next());
    };
    expect(draw('alice')).toEqual(draw('alice'));
    expect(draw('alice')).not.toEqual(draw('bob'));
  });

  it('draws uniformly in [0, 1): mean about 0.5 over 10,000 draws, never outside', () => {
    const random = new Random(42);
    const draws = Array.from({ length: 10_000 }, () => random.next());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((sum, value) => sum + value, 0) / draws.length).toBeCloseTo(0.5, 1);
  });

  it('hashes are stateless: the same parts give the same number, and normal deviates have SD about 1', () => {
    expect(hash32('a', 1)).toBe(hash32('a', 1));
    expect(hash32('a', 1)).not.toBe(hash32('a1'));
    expect(hashUnit('x', 3)).toBe(hashUnit('x', 3));
    const normals = Array.from({ length: 5_000 }, (_, index) => hashNormal('n', index));
    const mean = normals.reduce((sum, value) => sum + value, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((sum, value) => sum + (value - mean) ** 2, 0) / normals.length);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(0.9);
    expect(sd).toBeLessThan(1.1);
  });

  it('smooth noise stays in [-1, 1] and changes little between nearby instants', () => {
    for (let t = 0; t < 100; t++) {
      const value = smoothNoise(t * 60_000, 3_600_000, 'drift');
      expect(Math.abs(value)).toBeLessThanOrEqual(1);
      expect(Math.abs(smoothNoise((t + 1) * 60_000, 3_600_000, 'drift') - value)).toBeLessThan(0.1);
    }
  });
});
