import { SluiceError } from '../errors/sluice-error';
import type { ComplexFft } from './bluestein';
import { type Fft, fftPlan } from './fft';
import { InPlaceFft, twiddlePairs } from './in-place-fft';

/**
 * A complex FFT of 3·2^k points: one radix-3 decimation-in-time step over
 * three radix-2 transforms of a third of the length. Sizes of this form fill
 * the gaps between powers of two (49,152 for a 44,611-sample window instead
 * of 65,536), at about the cost per point of the radix-2 transform.
 */
export class Radix3Fft extends InPlaceFft implements ComplexFft {
  private readonly third: number;
  private readonly inner: Fft;
  /** W^k and W^(2k) for k < size/3, interleaved (re, im, re, im). */
  private readonly twiddles: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;
  /** The three thirds of the work arrays, as views for the inner transforms. */
  private readonly parts: { re: Float64Array; im: Float64Array }[];

  constructor(size: number) {
    const third = size / 3;
    if (!isRadix3Size(size)) {
      throw new SluiceError('E_INVALID_ARGUMENT', `Radix3Fft: size must be 3 × a power of two, got ${String(size)}`);
    }
    super(size, 'Radix3Fft');
    this.third = third;
    this.inner = fftPlan(third);
    this.twiddles = twiddlePairs(size, third);
    this.workRe = new Float64Array(size);
    this.workIm = new Float64Array(size);
    this.parts = [0, 1, 2].map((p) => ({
      re: this.workRe.subarray(p * third, (p + 1) * third),
      im: this.workIm.subarray(p * third, (p + 1) * third),
    }));
  }

  /**
   * X[k + j·m] = A[k] + ω^j·W^k·B[k] + ω^(2j)·W^(2k)·C[k] (m = N/3, ω = e^(−2πi/3)), where A, B, C are the
   * transforms of x[3n], x[3n + 1], x[3n + 2].
   */
  protected transform(re: Float64Array, im: Float64Array): void {
    const m = this.third;
    const { workRe, workIm, twiddles } = this;
    for (let n = 0; n < m; n++) {
      workRe[n] = re[3 * n] as number;
      workIm[n] = im[3 * n] as number;
      workRe[m + n] = re[3 * n + 1] as number;
      workIm[m + n] = im[3 * n + 1] as number;
      workRe[2 * m + n] = re[3 * n + 2] as number;
      workIm[2 * m + n] = im[3 * n + 2] as number;
    }
    for (const part of this.parts) this.inner.forward(part.re, part.im);
    const h = Math.sqrt(3) / 2;
    for (let k = 0; k < m; k++) {
      const w1r = twiddles[4 * k] as number;
      const w1i = twiddles[4 * k + 1] as number;
      const w2r = twiddles[4 * k + 2] as number;
      const w2i = twiddles[4 * k + 3] as number;
      const ar = workRe[k] as number;
      const ai = workIm[k] as number;
      const xr = workRe[m + k] as number;
      const xi = workIm[m + k] as number;
      const yr = workRe[2 * m + k] as number;
      const yi = workIm[2 * m + k] as number;
      const br = xr * w1r - xi * w1i;
      const bi = xr * w1i + xi * w1r;
      const cr = yr * w2r - yi * w2i;
      const ci = yr * w2i + yi * w2r;
      const sr = br + cr;
      const si = bi + ci;
      // ω·b + ω²·c = −s/2 − i·(√3/2)·(b − c); ω²·b + ω·c = −s/2 + i·(√3/2)·(b − c).
      const dr = h * (br - cr);
      const di = h * (bi - ci);
      const tr = ar - 0.5 * sr;
      const ti = ai - 0.5 * si;
      re[k] = ar + sr;
      im[k] = ai + si;
      re[k + m] = tr + di;
      im[k + m] = ti - dr;
      re[k + 2 * m] = tr - di;
      im[k + 2 * m] = ti + dr;
    }
  }
}

/** True when `size` is 3 × a power of two, the sizes {@link Radix3Fft} takes. */
export function isRadix3Size(size: number): boolean {
  const third = size / 3;
  return Number.isInteger(third) && third >= 1 && (third & (third - 1)) === 0;
}

/**
 * The smallest even FFT size ≥ `n` that a fast plan covers: a power of two or
 * 3 × a power of two (at most 25 % above `n`, where the next power of two can
 * be nearly 100 % above). Even, so that real signals' half spectra
 * (size / 2 + 1 bins) are whole.
 */
export function fastFftSize(n: number): number {
  let power = 2;
  while (power < n) power <<= 1;
  const three = (power / 4) * 3;
  return three >= n && three % 2 === 0 ? three : power;
}
