import { seededRandom } from '@sluice/config/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { siSdr } from '../src/index';
import { accumulate, emptyMoments } from '../src/signal/moments';
import { useSimdMoments } from '../src/signal/moments-wasm';
import { twoPassSiSdr } from './two-pass';

const random = seededRandom(11);
const noise = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5 + 0.1);

describe('the SIMD moments kernel', () => {
  afterEach(() => useSimdMoments(true));

  it('loads in Node 20 (WebAssembly SIMD is there)', () => {
    expect(useSimdMoments(true)).toBe(true);
  });

  it.each([
    [0, 0],
    [0, 7],
    [0, 256],
    [3, 260],
    [5, 1000],
    [1, 2 * 16384 + 13],
  ])('sums [%i, %i) as the scalar loop does', (start, end) => {
    const a = noise(end);
    const b = noise(end);
    const simd = emptyMoments();
    accumulate(simd, a, b, start, end);
    useSimdMoments(false);
    const scalar = emptyMoments();
    accumulate(scalar, a, b, start, end);
    expect(simd.n).toBe(end - start);
    for (const key of ['sumA', 'sumB', 'sumAA', 'sumBB', 'sumAB'] as const) {
      expect(Math.abs(simd[key] - scalar[key])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(scalar[key])));
    }
  });

  it('gives the SI-SDR of the two-pass definition to 1e-4 dB up to 80 dB, as the scalar loop does', () => {
    const reference = [noise(100_000), noise(100_000)];
    for (const noiseLevel of [1e-1, 1e-3, 1e-4]) {
      const estimate = reference.map((plane) => plane.map((v) => v + noiseLevel * (random() - 0.5)));
      const exact = twoPassSiSdr(estimate, reference);
      const simd = siSdr(estimate, reference);
      useSimdMoments(false);
      const scalar = siSdr(estimate, reference);
      useSimdMoments(true);
      expect(Math.abs(simd - exact)).toBeLessThan(1e-4);
      expect(Math.abs(scalar - exact)).toBeLessThan(1e-4);
    }
  });
});
