import { seededRandom } from '@sluice/config/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { measure, sdr, sdrPerChannel, siSdr, siSdrPerChannel } from '../src/index';
import { siSdrFromMoments } from '../src/signal/metrics';
import { pairMoments } from '../src/signal/moments';
import { useSimdMoments } from '../src/signal/moments-wasm';
import { twoPassSdr, twoPassSiSdr } from './two-pass';

const random = seededRandom(23);
const noise = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5 + 0.1);
const reference = [noise(100_000), noise(100_000)];
/** Noise levels from about 40 dB to about 130 dB of SI-SDR. */
const levels = [1e-2, 1e-4, 1e-5, 1e-6, 1e-6 / 3];
const estimateAt = (level: number) => reference.map((plane) => plane.map((v) => v + level * (random() - 0.5)));

describe('ratios above 60 dB are summed again from the samples', () => {
  afterEach(() => useSimdMoments(true));

  it.each([true, false])('SI-SDR equals the two-pass definition to 1e-6 dB from 40 to 130 dB (SIMD kernel: %s)', (simd) => {
    useSimdMoments(simd);
    for (const level of levels) {
      const estimate = estimateAt(level);
      const exact = twoPassSiSdr(estimate, reference);
      expect(Math.abs(siSdr(estimate, reference) - exact)).toBeLessThan(1e-6);
      for (const [c, value] of siSdrPerChannel(estimate, reference).entries()) {
        expect(Math.abs(value - twoPassSiSdr([estimate[c] as Float32Array], [reference[c] as Float32Array]))).toBeLessThan(1e-6);
      }
    }
  });

  it('the one-pass formula alone drifts there, which is why (the scalar loop, 130 dB)', () => {
    useSimdMoments(false);
    const estimate = estimateAt(1e-6 / 3);
    const onePass = siSdrFromMoments(pairMoments(estimate, reference, 100_000, ['estimate', 'reference']).total);
    expect(Math.abs(onePass - twoPassSiSdr(estimate, reference))).toBeGreaterThan(1e-3);
  });

  it('plain SDR, per channel and in measure(), equals the two-pass definition to 1e-6 dB', () => {
    for (const level of levels) {
      const estimate = estimateAt(level);
      const exact = twoPassSdr(estimate, reference);
      expect(Math.abs(sdr(estimate, reference) - exact)).toBeLessThan(1e-6);
      const all = measure(estimate, reference);
      expect(Math.abs(all.sdr - exact)).toBeLessThan(1e-6);
      expect(Math.abs(all.siSdr - twoPassSiSdr(estimate, reference))).toBeLessThan(1e-6);
      for (const [c, value] of sdrPerChannel(estimate, reference).entries()) {
        const channelExact = twoPassSdr([estimate[c] as Float32Array], [reference[c] as Float32Array]);
        expect(Math.abs(value - channelExact)).toBeLessThan(1e-6);
        expect(Math.abs((all.channels[c]?.sdr as number) - channelExact)).toBeLessThan(1e-6);
      }
    }
  });

  it('a perfect copy still scores at the float64 limit (≈ 156 dB), not +∞', () => {
    expect(siSdr(reference, reference)).toBeCloseTo(156.5, 0);
    expect(sdr(reference, reference)).toBeCloseTo(156.5, 0);
    expect(
      siSdr(
        reference.map((p) => p.map((v) => 2 * v)),
        reference,
      ),
    ).toBeGreaterThan(150);
  });
});
