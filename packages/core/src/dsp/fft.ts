import { SluiceError } from '../errors/sluice-error';
import type { ComplexFft } from './bluestein';
import { InPlaceFft, twiddlePairs } from './in-place-fft';

/**
 * A power-of-two complex FFT on float64 arrays (separate real and imaginary
 * parts), planned once per size: the twiddles of every pass and the
 * bit-reversal swaps are precomputed. Written here rather than taken from npm
 * so that core stays dependency-free and metrics get float64 accuracy; tests
 * check it against a naive DFT.
 */
export class Fft extends InPlaceFft {
  /** Index pairs (i, j), i < j, swapped to put the input in bit-reversed order. */
  private readonly swaps: Uint32Array;
  /** Per radix-2² pass of `quarter` = 1, 4, 16… (2, 8, 32… after an odd first stage): W^k, W^(2k) for k < quarter, interleaved. */
  private readonly passes: { quarter: number; twiddles: Float64Array }[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1 || (size & (size - 1)) !== 0) {
      throw new SluiceError('E_INVALID_ARGUMENT', `Fft: size must be a power of two, got ${String(size)}`);
    }
    super(size, 'Fft');
    const bits = Math.log2(size);
    const swaps: number[] = [];
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      if (r > i) swaps.push(i, r);
    }
    this.swaps = Uint32Array.from(swaps);
    for (let quarter = bits % 2 === 1 ? 2 : 1; quarter < size; quarter <<= 2) {
      this.passes.push({ quarter, twiddles: twiddlePairs(4 * quarter, quarter) });
    }
  }

  /**
   * Decimation in time on the bit-reversed input, two radix-2 stages per pass
   * over the data (radix-2²): half the passes through memory of one
   * stage at a time, which is what a 65,536-point transform waits on.
   */
  protected transform(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    const swaps = this.swaps;
    for (let s = 0; s < swaps.length; s += 2) {
      const i = swaps[s] as number;
      const j = swaps[s + 1] as number;
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
    if ((Math.log2(n) & 1) === 1) {
      // An odd number of stages: one twiddle-free radix-2 stage first.
      for (let a = 0; a < n; a += 2) {
        const br = re[a + 1] as number;
        const bi = im[a + 1] as number;
        const ar = re[a] as number;
        const ai = im[a] as number;
        re[a + 1] = ar - br;
        im[a + 1] = ai - bi;
        re[a] = ar + br;
        im[a] = ai + bi;
      }
    }
    for (const { quarter, twiddles } of this.passes) {
      if (quarter === 1) fourPointPass(re, im, n);
      else this.fusedStages(re, im, quarter, twiddles);
    }
  }

  /**
   * Four sub-transforms of `quarter` points into one of 4·quarter: the radix-2
   * stage of length 2·quarter (pairs a0–a1 and a2–a3, twiddle W^(2k)) and the one
   * of length 4·quarter (pairs b0–b2 with W^k and b1–b3 with W^k·(−i)) on four
   * values held in registers.
   */
  private fusedStages(re: Float64Array, im: Float64Array, quarter: number, twiddles: Float64Array): void {
    const n = this.size;
    const length = quarter << 2;
    for (let start = 0; start < n; start += length) {
      for (let k = 0; k < quarter; k++) {
        const w = 4 * k;
        const w1r = twiddles[w] as number;
        const w1i = twiddles[w + 1] as number;
        const w2r = twiddles[w + 2] as number;
        const w2i = twiddles[w + 3] as number;
        const i0 = start + k;
        const i1 = i0 + quarter;
        const i2 = i1 + quarter;
        const i3 = i2 + quarter;
        const x0r = re[i0] as number;
        const x0i = im[i0] as number;
        const x1r = re[i1] as number;
        const x1i = im[i1] as number;
        const x2r = re[i2] as number;
        const x2i = im[i2] as number;
        const x3r = re[i3] as number;
        const x3i = im[i3] as number;
        // Length 2·quarter: W^(2k)·x1 and W^(2k)·x3.
        const t1r = x1r * w2r - x1i * w2i;
        const t1i = x1r * w2i + x1i * w2r;
        const t3r = x3r * w2r - x3i * w2i;
        const t3i = x3r * w2i + x3i * w2r;
        const b0r = x0r + t1r;
        const b0i = x0i + t1i;
        const b1r = x0r - t1r;
        const b1i = x0i - t1i;
        const b2r = x2r + t3r;
        const b2i = x2i + t3i;
        const b3r = x2r - t3r;
        const b3i = x2i - t3i;
        // Length 4·quarter: W^k·b2, and W^k·b3 turned by −i.
        const u2r = b2r * w1r - b2i * w1i;
        const u2i = b2r * w1i + b2i * w1r;
        const u3r = b3r * w1i + b3i * w1r;
        const u3i = -(b3r * w1r - b3i * w1i);
        re[i0] = b0r + u2r;
        im[i0] = b0i + u2i;
        re[i2] = b0r - u2r;
        im[i2] = b0i - u2i;
        re[i1] = b1r + u3r;
        im[i1] = b1i + u3i;
        re[i3] = b1r - u3r;
        im[i3] = b1i - u3i;
      }
    }
  }
}

/** The first radix-2² pass when the stage count is even: 4-point DFTs, whose twiddles are 1 and −i. */
function fourPointPass(re: Float64Array, im: Float64Array, n: number): void {
  for (let i0 = 0; i0 < n; i0 += 4) {
    const x0r = re[i0] as number;
    const x0i = im[i0] as number;
    const x1r = re[i0 + 1] as number;
    const x1i = im[i0 + 1] as number;
    const x2r = re[i0 + 2] as number;
    const x2i = im[i0 + 2] as number;
    const x3r = re[i0 + 3] as number;
    const x3i = im[i0 + 3] as number;
    const b0r = x0r + x1r;
    const b0i = x0i + x1i;
    const b1r = x0r - x1r;
    const b1i = x0i - x1i;
    const b2r = x2r + x3r;
    const b2i = x2i + x3i;
    const b3r = x2r - x3r;
    const b3i = x2i - x3i;
    re[i0] = b0r + b2r;
    im[i0] = b0i + b2i;
    re[i0 + 2] = b0r - b2r;
    im[i0 + 2] = b0i - b2i;
    re[i0 + 1] = b1r + b3i;
    im[i0 + 1] = b1i - b3r;
    re[i0 + 3] = b1r - b3i;
    im[i0 + 3] = b1i + b3r;
  }
}

const plans = new Map<number, Fft>();

/** A cached {@link Fft} for `size`. */
export function fftPlan(size: number): Fft {
  let plan = plans.get(size);
  if (plan === undefined) {
    plan = new Fft(size);
    plans.set(size, plan);
  }
  return plan;
}

/** The smallest power of two ≥ `n`. */
export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size <<= 1;
  return size;
}

/** Spectra of two real signals. */
export interface RealPairSpectra {
  xRe: Float64Array;
  xIm: Float64Array;
  yRe: Float64Array;
  yIm: Float64Array;
}

/**
 * Spectra of two real signals (zero-padded to the plan size) with one complex
 * FFT: z = x + i·y, then X[k] = (Z[k] + conj Z[N−k]) / 2 and
 * Y[k] = (Z[k] − conj Z[N−k]) / 2i. Halves the work for real data.
 * `x`/`y` may be shorter than the plan (not longer); pass `undefined` for y to get x alone.
 * `bins` (default: the plan size) limits the output to bins 0…bins − 1: real
 * signals' spectra are Hermitian, so `size / 2 + 1` bins say everything.
 */
export function realPairSpectra(
  plan: ComplexFft,
  x: ArrayLike<number>,
  y: ArrayLike<number> | undefined,
  out: RealPairSpectra,
  scratch: { re: Float64Array; im: Float64Array },
  bins: number = plan.size,
): void {
  const n = plan.size;
  const yLength = y === undefined ? 0 : y.length;
  if (x.length > n || yLength > n) {
    throw new SluiceError(
      'E_INVALID_ARGUMENT',
      `realPairSpectra: signals of ${Math.max(x.length, yLength)} samples do not fit a ${n}-point plan`,
    );
  }
  const { re, im } = scratch;
  // TypedArray#set converts from any array-like natively, far faster than an indexed loop over a Float32Array.
  re.set(x);
  re.fill(0, x.length, n);
  if (y !== undefined) im.set(y);
  im.fill(0, yLength, n);
  plan.forward(re, im);
  const { xRe, xIm, yRe, yIm } = out;
  for (let k = 0; k < bins; k++) {
    const j = k === 0 ? 0 : n - k;
    const zr = re[k] as number;
    const zi = im[k] as number;
    const cr = re[j] as number;
    const ci = -(im[j] as number);
    xRe[k] = 0.5 * (zr + cr);
    xIm[k] = 0.5 * (zi + ci);
    yRe[k] = 0.5 * (zi - ci);
    yIm[k] = 0.5 * (cr - zr);
  }
}
