import type { Channel } from './input';

/**
 * Above this ratio (dB) the one-pass moment formulas are refined by a second
 * pass over the samples. The formulas get the residual as a difference of two
 * nearly equal energies (‖ŝ‖² − ‖αs‖², or ‖ŝ‖² − 2⟨ŝ, s⟩ + ‖s‖²), so its
 * relative error grows with the ratio itself: measured against the two-pass
 * definition, 1e-5 dB at 80 dB but 0.075 dB at 120 dB (scalar loop). Below
 * 60 dB the one pass is exact to far better than 1e-6 dB, and the second pass
 * is never paid for the estimates a separator gives.
 */
export const SECOND_PASS_ABOVE_DB = 60;

/** How the estimate a is compared with the reference b: residual = Σ ((a − meanA) − scale·(b − meanB))². */
export interface Projection {
  scale: number;
  meanA: number;
  meanB: number;
}

/**
 * The residual energy Σ_c Σ_i ((a − meanA) − scale·(b − meanB))² over
 * [0, length) of every channel pair, summed in float64 in a second pass
 * (two accumulators, so the sum is not one dependency chain).
 */
export function residualEnergy(a: readonly Channel[], b: readonly Channel[], length: number, projection: Projection): number {
  const { scale, meanA, meanB } = projection;
  // (a − meanA) − scale·(b − meanB) = a − scale·b − offset
  const offset = meanA - scale * meanB;
  let even = 0;
  let odd = 0;
  for (let c = 0; c < a.length; c++) {
    const x = a[c] as Channel;
    const y = b[c] as Channel;
    let i = 0;
    for (; i + 1 < length; i += 2) {
      const d0 = (x[i] as number) - scale * (y[i] as number) - offset;
      const d1 = (x[i + 1] as number) - scale * (y[i + 1] as number) - offset;
      even += d0 * d0;
      odd += d1 * d1;
    }
    if (i < length) {
      const d = (x[i] as number) - scale * (y[i] as number) - offset;
      even += d * d;
    }
  }
  return even + odd;
}
