import { type ComplexFft, type RealPairSpectra, realPairSpectra } from '@sluice/core';

/** A complex spectrum. */
export interface Spectrum {
  re: Float64Array;
  im: Float64Array;
}

/** Half spectra (bins 0…size/2) of real signals zero-padded to the plan size, two per complex FFT; into `out`'s arrays when given. */
export function spectraOf(plan: ComplexFft, signals: readonly ArrayLike<number>[], out: Spectrum[] = []): Spectrum[] {
  const size = plan.size;
  const scratch = { re: new Float64Array(size), im: new Float64Array(size) };
  const spectrum = (index: number): Spectrum => {
    out[index] ??= { re: new Float64Array(size), im: new Float64Array(size) };
    return out[index] as Spectrum;
  };
  for (let i = 0; i < signals.length; i += 2) {
    const second = signals[i + 1];
    const x = spectrum(i);
    // A lone last signal still needs somewhere for the (empty) second spectrum to go.
    const y = second === undefined ? { re: scratch.re.slice(), im: scratch.im.slice() } : spectrum(i + 1);
    const pair: RealPairSpectra = { xRe: x.re, xIm: x.im, yRe: y.re, yIm: y.im };
    realPairSpectra(plan, signals[i] as ArrayLike<number>, second, pair, scratch, size / 2 + 1);
  }
  out.length = signals.length;
  return out;
}

/** Σ_k inputs[k] · filters[k], bin by bin, on the bins up to Nyquist, into `out` (overwritten). */
export function multiplySumHalf(filters: readonly Spectrum[], inputs: readonly Spectrum[], out: Spectrum): void {
  const half = out.re.length / 2;
  const or = out.re;
  const oi = out.im;
  or.fill(0, 0, half + 1);
  oi.fill(0, 0, half + 1);
  for (let k = 0; k < filters.length; k++) {
    const h = filters[k] as Spectrum;
    const w = inputs[k] as Spectrum;
    const hr = h.re;
    const hi = h.im;
    const wr = w.re;
    const wi = w.im;
    for (let f = 0; f <= half; f++) {
      const a = wr[f] as number;
      const b = wi[f] as number;
      const c = hr[f] as number;
      const d = hi[f] as number;
      or[f] = (or[f] as number) + a * c - b * d;
      oi[f] = (oi[f] as number) + a * d + b * c;
    }
  }
}
