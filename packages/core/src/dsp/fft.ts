import { SluiceError } from '../errors/sluice-error';

/**
 * A radix-2 complex FFT on float64 arrays (separate real and imaginary
 * parts), planned once per size: twiddles and the bit-reversal permutation
 * are precomputed. Written here rather than taken from npm so that core stays
 * dependency-free and metrics get float64 accuracy; tests check it against a
 * naive DFT.
 */
export class Fft {
  /** Transform length (a power of two). */
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reversed: Uint32Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1 || (size & (size - 1)) !== 0) {
      throw new SluiceError('E_INVALID_ARGUMENT', `Fft: size must be a power of two, got ${String(size)}`);
    }
    this.size = size;
    const half = size >> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.reversed = new Uint32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      this.reversed[i] = r;
    }
  }

  /** In-place forward transform: X[k] = Σ x[n]·e^(−2πikn/N). */
  forward(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, 1);
  }

  /** In-place inverse transform, scaled by 1/N so that inverse(forward(x)) = x. */
  inverse(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, -1);
    const scale = 1 / this.size;
    for (let i = 0; i < this.size; i++) {
      re[i] = (re[i] as number) * scale;
      im[i] = (im[i] as number) * scale;
    }
  }

  private transform(re: Float64Array, im: Float64Array, direction: 1 | -1): void {
    const n = this.size;
    if (re.length < n || im.length < n) throw new SluiceError('E_INVALID_ARGUMENT', `Fft: arrays must hold ${n} values`);
    const reversed = this.reversed;
    for (let i = 0; i < n; i++) {
      const j = reversed[i] as number;
      if (j > i) {
        const tr = re[i] as number;
        re[i] = re[j] as number;
        re[j] = tr;
        const ti = im[i] as number;
        im[i] = im[j] as number;
        im[j] = ti;
      }
    }
    const cos = this.cos;
    const sin = this.sin;
    for (let length = 2; length <= n; length <<= 1) {
      const half = length >> 1;
      const stride = n / length;
      for (let start = 0; start < n; start += length) {
        for (let k = 0, t = 0; k < half; k++, t += stride) {
          const wr = cos[t] as number;
          const wi = direction * (sin[t] as number);
          const a = start + k;
          const b = a + half;
          const br = re[b] as number;
          const bi = im[b] as number;
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = re[a] as number;
          const ai = im[a] as number;
          re[b] = ar - xr;
          im[b] = ai - xi;
          re[a] = ar + xr;
          im[a] = ai + xi;
        }
      }
    }
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
 * `x`/`y` may be shorter than the plan; pass `undefined` for y to get x alone.
 */
export function realPairSpectra(
  plan: Fft,
  x: ArrayLike<number>,
  y: ArrayLike<number> | undefined,
  out: RealPairSpectra,
  scratch: { re: Float64Array; im: Float64Array },
): void {
  const n = plan.size;
  const { re, im } = scratch;
  re.fill(0);
  im.fill(0);
  for (let i = 0; i < x.length; i++) re[i] = x[i] as number;
  if (y !== undefined) for (let i = 0; i < y.length; i++) im[i] = y[i] as number;
  plan.forward(re, im);
  for (let k = 0; k < n; k++) {
    const j = (n - k) & (n - 1);
    const zr = re[k] as number;
    const zi = im[k] as number;
    const cr = re[j] as number;
    const ci = -(im[j] as number);
    out.xRe[k] = (zr + cr) / 2;
    out.xIm[k] = (zi + ci) / 2;
    out.yRe[k] = (zi - ci) / 2;
    out.yIm[k] = (cr - zr) / 2;
  }
}
