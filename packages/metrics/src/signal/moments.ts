import { type Channel, reportNonFinite } from './input';
import { addSimdMoments } from './moments-wasm';

/** Sums over one channel pair, accumulated in float64. */
export interface Moments {
  n: number;
  sumA: number;
  sumB: number;
  sumAA: number;
  sumBB: number;
  sumAB: number;
}

/** Empty moments. */
export function emptyMoments(): Moments {
  return { n: 0, sumA: 0, sumB: 0, sumAA: 0, sumBB: 0, sumAB: 0 };
}

/**
 * Accumulates the five sums of a channel pair in one pass over the data.
 * Float32 pairs go through the WebAssembly SIMD kernel (moments.wat) where
 * there is one; the rest, and the last few samples, through a scalar loop
 * with interleaved accumulator sets, so that it is not one long dependency
 * chain.
 */
export function accumulate(target: Moments, a: Channel, b: Channel, start: number, end: number): void {
  const from = a instanceof Float32Array && b instanceof Float32Array ? addSimdMoments(target, a, b, start, end) : start;
  let sa0 = 0;
  let sb0 = 0;
  let aa0 = 0;
  let bb0 = 0;
  let ab0 = 0;
  let sa1 = 0;
  let sb1 = 0;
  let aa1 = 0;
  let bb1 = 0;
  let ab1 = 0;
  let i = from;
  for (; i + 3 < end; i += 4) {
    const x0 = a[i] as number;
    const y0 = b[i] as number;
    const x1 = a[i + 1] as number;
    const y1 = b[i + 1] as number;
    const x2 = a[i + 2] as number;
    const y2 = b[i + 2] as number;
    const x3 = a[i + 3] as number;
    const y3 = b[i + 3] as number;
    sa0 += x0 + x2;
    sb0 += y0 + y2;
    aa0 += x0 * x0 + x2 * x2;
    bb0 += y0 * y0 + y2 * y2;
    ab0 += x0 * y0 + x2 * y2;
    sa1 += x1 + x3;
    sb1 += y1 + y3;
    aa1 += x1 * x1 + x3 * x3;
    bb1 += y1 * y1 + y3 * y3;
    ab1 += x1 * y1 + x3 * y3;
  }
  for (; i < end; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    sa0 += x;
    sb0 += y;
    aa0 += x * x;
    bb0 += y * y;
    ab0 += x * y;
  }
  target.n += end - start;
  target.sumA += sa0 + sa1;
  target.sumB += sb0 + sb1;
  target.sumAA += aa0 + aa1;
  target.sumBB += bb0 + bb1;
  target.sumAB += ab0 + ab1;
}

/** Adds `other` into `target`. */
export function addMoments(target: Moments, other: Moments): void {
  target.n += other.n;
  target.sumA += other.sumA;
  target.sumB += other.sumB;
  target.sumAA += other.sumAA;
  target.sumBB += other.sumBB;
  target.sumAB += other.sumAB;
}

/** Per-channel moments of two planar signals over [0, length), and their total. */
export function pairMoments(
  a: readonly Channel[],
  b: readonly Channel[],
  length: number,
  names: [string, string],
): { channels: Moments[]; total: Moments } {
  const channels = a.map((channel, c) => {
    const moments = emptyMoments();
    accumulate(moments, channel, b[c] as Channel, 0, length);
    return moments;
  });
  const total = emptyMoments();
  for (const moments of channels) addMoments(total, moments);
  if (!Number.isFinite(total.sumAA + total.sumBB + total.sumAB + total.sumA + total.sumB)) {
    reportNonFinite(
      [
        [names[0], a],
        [names[1], b],
      ],
      length,
    );
  }
  return { channels, total };
}

/** 10·log10(numerator / denominator) with the edge cases spelled out: x/0 = +∞, 0/x = −∞, 0/0 = NaN. */
export function ratioDb(numerator: number, denominator: number): number {
  if (denominator <= 0) return numerator > 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  if (numerator <= 0) return Number.NEGATIVE_INFINITY;
  return 10 * Math.log10(numerator / denominator);
}

/** Float64 resolution: residual energies below energy × this are rounding noise. */
export const RESOLUTION = 2 ** -52;
