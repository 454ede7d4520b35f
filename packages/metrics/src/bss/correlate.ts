import { type RealPairSpectra, fftPlan, nextPowerOfTwo, realPairSpectra } from '@sluice/core';
import type { Channel } from '../signal/input';

/** A requested correlation: r(d) = Σ_m x[m]·y[m + d] for d in [−(maxLag−1), maxLag−1]. */
export interface CorrelationPair {
  x: number;
  y: number;
}

/**
 * Cross-correlations of many signal pairs at lags up to ±(maxLag − 1), over
 * the whole signals, by blocked FFTs: y is cut into blocks of B samples, x
 * into the matching segments widened by maxLag − 1 on each side, and the
 * cross-spectra of all blocks are summed before one inverse transform per
 * pair. Exact (up to rounding) and O(n log B) instead of one FFT the length
 * of the whole track per pair.
 *
 * Returns one Float64Array per pair, index (maxLag − 1) + d.
 */
export function crossCorrelations(signals: readonly Channel[], pairs: readonly CorrelationPair[], maxLag: number): Float64Array[] {
  const length = signals[0]?.length ?? 0;
  const size = Math.max(1024, nextPowerOfTwo(16 * maxLag));
  const block = size - 2 * maxLag + 2;
  const plan = fftPlan(size);
  const half = size / 2;
  const asX = [...new Set(pairs.map((p) => p.x))];
  const asY = [...new Set(pairs.map((p) => p.y))];
  const spectrum = () => ({ re: new Float64Array(size), im: new Float64Array(size) });
  const xSpectra = new Map(asX.map((i) => [i, spectrum()]));
  const ySpectra = new Map(asY.map((i) => [i, spectrum()]));
  const sums = pairs.map(spectrum);
  const scratch = spectrum();
  const pairOut: RealPairSpectra = {
    xRe: new Float64Array(size),
    xIm: new Float64Array(size),
    yRe: new Float64Array(size),
    yIm: new Float64Array(size),
  };
  const segment = new Float64Array(block + 2 * maxLag - 2);
  const segmentB = new Float64Array(block + 2 * maxLag - 2);

  // Spectra of two jobs per complex FFT.
  const transform = (jobs: { fill: (out: Float64Array) => number; target: { re: Float64Array; im: Float64Array } }[]) => {
    for (let j = 0; j < jobs.length; j += 2) {
      const first = jobs[j] as (typeof jobs)[number];
      const second = jobs[j + 1];
      const n1 = first.fill(segment);
      const n2 = second ? second.fill(segmentB) : 0;
      realPairSpectra(plan, segment.subarray(0, n1), second ? segmentB.subarray(0, n2) : undefined, pairOut, scratch, half + 1);
      first.target.re.set(pairOut.xRe.subarray(0, half + 1));
      first.target.im.set(pairOut.xIm.subarray(0, half + 1));
      if (second) {
        second.target.re.set(pairOut.yRe.subarray(0, half + 1));
        second.target.im.set(pairOut.yIm.subarray(0, half + 1));
      }
    }
  };

  for (let start = 0; start < length; start += block) {
    const jobs: { fill: (out: Float64Array) => number; target: { re: Float64Array; im: Float64Array } }[] = [];
    for (const index of asX) {
      const signal = signals[index] as Channel;
      jobs.push({
        target: xSpectra.get(index) as { re: Float64Array; im: Float64Array },
        fill: (out) => {
          const from = start - (maxLag - 1);
          const count = block + 2 * maxLag - 2;
          for (let t = 0; t < count; t++) {
            const at = from + t;
            out[t] = at >= 0 && at < length ? (signal[at] as number) : 0;
          }
          return count;
        },
      });
    }
    for (const index of asY) {
      const signal = signals[index] as Channel;
      jobs.push({
        target: ySpectra.get(index) as { re: Float64Array; im: Float64Array },
        fill: (out) => {
          const count = Math.min(block, length - start);
          for (let t = 0; t < count; t++) out[t] = signal[start + t] as number;
          return count;
        },
      });
    }
    transform(jobs);
    for (const [p, pair] of pairs.entries()) {
      const x = xSpectra.get(pair.x) as { re: Float64Array; im: Float64Array };
      const y = ySpectra.get(pair.y) as { re: Float64Array; im: Float64Array };
      const sum = sums[p] as { re: Float64Array; im: Float64Array };
      const xr = x.re;
      const xi = x.im;
      const yr = y.re;
      const yi = y.im;
      const sr = sum.re;
      const si = sum.im;
      // X · conj(Y) on the bins up to Nyquist: the cross-spectrum of real signals is Hermitian, the rest mirrors these.
      for (let k = 0; k <= half; k++) {
        sr[k] = (sr[k] as number) + (xr[k] as number) * (yr[k] as number) + (xi[k] as number) * (yi[k] as number);
        si[k] = (si[k] as number) + (xi[k] as number) * (yr[k] as number) - (xr[k] as number) * (yi[k] as number);
      }
    }
  }
  return sums.map((sum) => {
    for (let k = 1; k < half; k++) {
      sum.re[size - k] = sum.re[k] as number;
      sum.im[size - k] = -(sum.im[k] as number);
    }
    plan.inverse(sum.re, sum.im);
    // Circular correlation at shift k = (maxLag − 1) − d holds r(d).
    const out = new Float64Array(2 * maxLag - 1);
    for (let d = -(maxLag - 1); d <= maxLag - 1; d++) out[maxLag - 1 + d] = sum.re[maxLag - 1 - d] as number;
    return out;
  });
}
