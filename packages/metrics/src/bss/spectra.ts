import { type ComplexFft, type RealPairSpectra, realPairSpectra } from '@sluice/core';
import type { SpectrumArena } from './spectrum-arena';

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

/** Σ_k inputs[k] · filters[k], bin by bin, on bins [0, bins), into `out` (overwritten); fastest when all are `arena`'s. */
export function multiplySumHalf(
  arena: SpectrumArena,
  filters: readonly Spectrum[],
  inputs: readonly Spectrum[],
  out: Spectrum,
  bins: number,
): void {
  out.re.fill(0, 0, bins);
  out.im.fill(0, 0, bins);
  for (let k = 0; k < filters.length; k++) arena.multiplyAccumulate(out, inputs[k] as Spectrum, 0, filters[k] as Spectrum, 0, bins, false);
}
