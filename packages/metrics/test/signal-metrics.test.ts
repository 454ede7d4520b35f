import { describe, expect, it } from 'vitest';
import { correlation, correlationPerChannel, measure, sdr, siSdr, siSdrPerChannel, snr } from '../src/index';
import { expectThrowCode, seededRandom } from '@sluice/config/test-helpers';
import { decode, reference } from './reference';

function gaussian(random: () => number, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(random(), 1e-12);
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u)) * scale;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

describe('closed-form cases', () => {
  const random = seededRandom(42);
  const n = 400_000;
  const signal = gaussian(random, n, 0.3);

  it('a scaled copy: SI-SDR is large and finite, plain SDR reflects the scale', () => {
    const scaled = signal.map((v) => 0.5 * v);
    const value = siSdr(scaled, signal);
    expect(value).toBeGreaterThan(140);
    expect(Number.isFinite(value)).toBe(true);
    // SDR of 0.5·s against s: ‖s‖² / ‖0.5 s‖² = 4 → 6.02 dB.
    expect(sdr(scaled, signal)).toBeCloseTo(6.0206, 3);
    expect(correlation(scaled, signal)).toBeCloseTo(1, 12);
  });

  it.each([0, 10, 20, 40])('a copy plus white noise at %i dB SNR measures within 0.05 dB', (target) => {
    const noise = gaussian(seededRandom(target + 1), n, 0.3 * 10 ** (-target / 20));
    const noisy = signal.map((v, i) => v + (noise[i] as number));
    expect(snr(signal, noise)).toBeCloseTo(target, 1);
    expect(Math.abs(sdr(noisy, signal) - snr(signal, noise))).toBeLessThan(1e-9);
    // Independent noise: SI-SDR ≈ SNR (within 0.05 dB over a long signal).
    expect(Math.abs(siSdr(noisy, signal) - target)).toBeLessThan(0.05 + Math.abs(snr(signal, noise) - target));
  });

  it('a delayed copy scores low: SI-SDR does not align signals', () => {
    const delayed = new Float64Array(n);
    delayed.set(signal.subarray(0, n - 5), 5);
    expect(siSdr(delayed, signal)).toBeLessThan(0);
    expect(Math.abs(correlation(delayed, signal))).toBeLessThan(0.01);
  });

  it('silence has defined results and never throws', () => {
    const zeros = new Float64Array(1000);
    const some = gaussian(seededRandom(3), 1000);
    expect(siSdr(zeros, some)).toBe(Number.NEGATIVE_INFINITY);
    expect(siSdr(some, zeros)).toBeNaN();
    expect(sdr(zeros, zeros)).toBeNaN();
    expect(sdr(zeros, some)).toBeCloseTo(0, 12);
    expect(snr(zeros, some)).toBe(Number.NEGATIVE_INFINITY);
    expect(snr(some, zeros)).toBe(Number.POSITIVE_INFINITY);
    expect(correlation(zeros, some)).toBeNaN();
  });

  it('channels combine: overall uses one scale for all channels, per-channel one each', () => {
    const left = signal.subarray(0, 1000);
    const right = signal.subarray(1000, 2000);
    const estimate = [left.map((v) => 0.5 * v), right.map((v) => 2 * v)];
    const perChannel = siSdrPerChannel(estimate, [left, right]);
    expect(perChannel[0]).toBeGreaterThan(140);
    expect(perChannel[1]).toBeGreaterThan(140);
    expect(siSdr(estimate, [left, right])).toBeLessThan(10);
    const all = measure(estimate, [left, right]);
    expect(all.channels).toHaveLength(2);
    expect(all.siSdr).toBeCloseTo(siSdr(estimate, [left, right]), 12);
  });
});

describe('against NumPy reference values', () => {
  for (const item of reference.pairs) {
    it(`${item.name}: SI-SDR, SDR, SNR and correlation within 0.01 dB`, () => {
      const estimate = item.estimate.map(decode);
      const ref = item.reference.map(decode);
      expect(Math.abs(siSdr(estimate, ref) - item.siSdr)).toBeLessThan(0.01);
      expect(Math.abs(siSdr(estimate, ref, { zeroMean: false }) - item.siSdrNoMean)).toBeLessThan(0.01);
      for (const [c, value] of siSdrPerChannel(estimate, ref).entries()) {
        expect(Math.abs(value - (item.siSdrPerChannel[c] as number))).toBeLessThan(0.01);
      }
      expect(Math.abs(sdr(estimate, ref) - item.sdr)).toBeLessThan(0.01);
      const noise = estimate.map((plane, c) => plane.map((v, i) => v - ((ref[c] as Float32Array)[i] as number)));
      expect(Math.abs(snr(ref, noise) - item.snr)).toBeLessThan(0.01);
      expect(correlation(estimate, ref)).toBeCloseTo(item.correlation, 6);
      expect(correlationPerChannel(estimate, ref)).toHaveLength(2);
    });
  }
});

describe('bad input', () => {
  it('length mismatch is an error unless truncation is asked for', () => {
    const error = expectThrowCode(() => siSdr(new Float32Array(10), new Float32Array(12)), 'E_FORMAT');
    expect(error.message).toMatch(/truncate/);
    expect(Number.isNaN(siSdr(new Float32Array(10).fill(1), new Float32Array(12), { truncate: true }))).toBe(true);
  });

  it('different channel counts, empty arrays and non-arrays are refused', () => {
    expectThrowCode(() => sdr([new Float32Array(4)], [new Float32Array(4), new Float32Array(4)]), 'E_FORMAT');
    expectThrowCode(() => sdr(new Float32Array(0), new Float32Array(0)), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => sdr([] as never, [] as never), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => sdr([1, 2] as never, [1, 2] as never), 'E_INVALID_ARGUMENT');
  });

  it('NaN and Infinity samples name the first bad index', () => {
    const bad = new Float32Array(100).fill(0.1);
    bad[37] = Number.NaN;
    const error = expectThrowCode(
      () => siSdr([new Float32Array(100), bad], [new Float32Array(100).fill(1), new Float32Array(100).fill(1)]),
      'E_NON_FINITE',
    );
    expect(error.message).toMatch(/sample 37 of channel 1/);
    const infinite = new Float32Array(5);
    infinite[2] = Number.POSITIVE_INFINITY;
    expect(expectThrowCode(() => correlation(new Float32Array(5), infinite), 'E_NON_FINITE').message).toMatch(/sample 2/);
  });

  it('a reference of all zeros gives NaN SI-SDR (undefined), not an exception', () => {
    expect(siSdr(new Float32Array(8).fill(0.5), new Float32Array(8))).toBeNaN();
  });
});
