import { fftPlan, nextPowerOfTwo, realPairSpectra } from '@sluice/core';
import type { Channel } from '../signal/input';
import type { Spectrum } from './spectra';
import { SpectrumArena } from './spectrum-arena';

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
  const bins = half + 1;
  const asX = [...new Set(pairs.map((p) => p.x))];
  const asY = [...new Set(pairs.map((p) => p.y))];
  // Row of each signal's spectrum in the block's table: x segments first, then y blocks.
  const xRow = new Map(asX.map((signal, i) => [signal, i]));
  const yRow = new Map(asY.map((signal, i) => [signal, asX.length + i]));
  const rows = asX.length + asY.length;
  // The block's table of spectra and each pair's sum side by side in one arena, for the SIMD multiply-accumulate.
  const arena = new SpectrumArena([rows * bins, ...pairs.map(() => size)]);
  const [spectra, ...sums] = arena.spectra as [Spectrum, ...Spectrum[]];

  const segments: Segment[] = [
    ...asX.map((index) => ({ row: xRow.get(index) as number, signal: signals[index] as Channel, widened: true })),
    ...asY.map((index) => ({ row: yRow.get(index) as number, signal: signals[index] as Channel, widened: false })),
  ];
  const transformBlock = blockTransformer(plan, bins, maxLag, spectra);

  const rowsOf = pairs.map((pair) => [(xRow.get(pair.x) as number) * bins, (yRow.get(pair.y) as number) * bins] as const);
  for (let start = 0; start < length; start += block) {
    transformBlock(segments, start, block);
    for (const [p, [x, y]] of rowsOf.entries()) arena.multiplyAccumulate(sums[p] as Spectrum, spectra, x, spectra, y, bins, true);
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

/** One signal's part in the block's table: a y block as it is, or an x segment widened by maxLag − 1 on both sides. */
interface Segment {
  row: number;
  signal: Channel;
  widened: boolean;
}

/** A function that puts the half spectra of every segment's block at `start` in its row, two per FFT. */
function blockTransformer(plan: ReturnType<typeof fftPlan>, bins: number, maxLag: number, into: Spectrum) {
  const size = plan.size;
  const scratch = { re: new Float64Array(size), im: new Float64Array(size) };
  const pairOut = { xRe: new Float64Array(size), xIm: new Float64Array(size), yRe: new Float64Array(size), yIm: new Float64Array(size) };
  const padded = [new Float64Array(size), new Float64Array(size)] as const;
  /** The samples of `segment` for the block at `start`: a view where it lies inside the signal, else a zero-padded copy. */
  const samples = (segment: Segment, start: number, block: number, buffer: Float64Array): ArrayLike<number> => {
    const { signal } = segment;
    const length = signal.length;
    const from = segment.widened ? start - (maxLag - 1) : start;
    const to = segment.widened ? start + block + maxLag - 1 : Math.min(start + block, length);
    if (from >= 0 && to <= length) return signal.subarray(from, to);
    buffer.fill(0, 0, to - from);
    buffer.set(signal.subarray(Math.max(0, from), Math.min(to, length)), Math.max(0, -from));
    return buffer.subarray(0, to - from);
  };
  return (segments: readonly Segment[], start: number, block: number) => {
    for (let j = 0; j < segments.length; j += 2) {
      const a = segments[j] as Segment;
      const b = segments[j + 1];
      const x = samples(a, start, block, padded[0]);
      const y = b === undefined ? undefined : samples(b, start, block, padded[1]);
      realPairSpectra(plan, x, y, pairOut, scratch, bins);
      into.re.set(pairOut.xRe.subarray(0, bins), a.row * bins);
      into.im.set(pairOut.xIm.subarray(0, bins), a.row * bins);
      if (b !== undefined) {
        into.re.set(pairOut.yRe.subarray(0, bins), b.row * bins);
        into.im.set(pairOut.yIm.subarray(0, bins), b.row * bins);
      }
    }
  };
}
