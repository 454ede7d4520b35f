import { type Fft, type RealPairSpectra, realPairSpectra } from '@sluice/core';

/** A complex spectrum. */
export interface Spectrum {
  re: Float64Array;
  im: Float64Array;
}

/** Spectra of real signals (zero-padded to the plan size), two per complex FFT. */
export function spectraOf(plan: Fft, signals: readonly ArrayLike<number>[]): Spectrum[] {
  const size = plan.size;
  const scratch = { re: new Float64Array(size), im: new Float64Array(size) };
  const out: Spectrum[] = [];
  for (let i = 0; i < signals.length; i += 2) {
    const pair: RealPairSpectra = {
      xRe: new Float64Array(size),
      xIm: new Float64Array(size),
      yRe: new Float64Array(size),
      yIm: new Float64Array(size),
    };
    const second = signals[i + 1];
    realPairSpectra(plan, signals[i] as ArrayLike<number>, second, pair, scratch);
    out.push({ re: pair.xRe, im: pair.xIm });
    if (second !== undefined) out.push({ re: pair.yRe, im: pair.yIm });
  }
  return out;
}

/**
 * Inverse transforms of spectra known to belong to real signals, two per
 * complex IFFT: ifft(A + i·B) has a in its real part and b in its imaginary part.
 */
export function inverseRealPairs(plan: Fft, spectra: readonly Spectrum[]): Float64Array[] {
  const size = plan.size;
  const out: Float64Array[] = [];
  for (let i = 0; i < spectra.length; i += 2) {
    const a = spectra[i] as Spectrum;
    const b = spectra[i + 1];
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      // A + i·B
      re[k] = (a.re[k] as number) - (b ? (b.im[k] as number) : 0);
      im[k] = (a.im[k] as number) + (b ? (b.re[k] as number) : 0);
    }
    plan.inverse(re, im);
    out.push(re);
    if (b !== undefined) out.push(im);
  }
  return out;
}
