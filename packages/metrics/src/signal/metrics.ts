import { type Projection, SECOND_PASS_ABOVE_DB, residualEnergy } from './exact-residual';
import { type Channel, type PairOptions, type Signal, pairOf } from './input';
import { type Moments, RESOLUTION, pairMoments, ratioDb } from './moments';

/** Options for {@link siSdr}. */
export interface SiSdrOptions extends PairOptions {
  /** Remove each signal's mean first, as Le Roux et al. define it (default true). */
  zeroMean?: boolean;
}

/** SI-SDR's terms from moments. */
interface SiSdrTerms {
  target: number;
  /** ‖ŝ‖² − ‖αs‖², floored at {@link SiSdrTerms.floor}. */
  residual: number;
  /** ‖ŝ‖² times float64 resolution: a perfect (scaled) copy scores ≈ 156 dB, not ∞. */
  floor: number;
  projection: Projection;
}

/** SI-SDR's terms, or the value itself where it is an edge case: NaN for a silent reference, −∞ for a silent estimate. */
function siSdrTerms(m: Moments, zeroMean: boolean): SiSdrTerms | number {
  const cross = zeroMean ? m.sumAB - (m.sumA * m.sumB) / m.n : m.sumAB;
  const referenceEnergy = zeroMean ? m.sumBB - (m.sumB * m.sumB) / m.n : m.sumBB;
  const estimateEnergy = zeroMean ? m.sumAA - (m.sumA * m.sumA) / m.n : m.sumAA;
  if (referenceEnergy <= 0) return Number.NaN;
  if (estimateEnergy <= 0) return Number.NEGATIVE_INFINITY;
  const target = (cross * cross) / referenceEnergy;
  const floor = estimateEnergy * RESOLUTION;
  const projection = { scale: cross / referenceEnergy, meanA: zeroMean ? m.sumA / m.n : 0, meanB: zeroMean ? m.sumB / m.n : 0 };
  // ‖ŝ − αs‖² = ‖ŝ‖² − ‖αs‖² (orthogonal)
  return { target, residual: Math.max(estimateEnergy - target, floor), floor, projection };
}

/**
 * SI-SDR from moments (Le Roux et al., 2019): the estimate is projected on
 * the reference, ŝ_target = α·s with α = ⟨ŝ, s⟩ / ‖s‖², and
 * SI-SDR = 10·log10(‖ŝ_target‖² / ‖ŝ − ŝ_target‖²). One pass, so above
 * {@link SECOND_PASS_ABOVE_DB} the residual loses precision; siSdrOfPair
 * reads the samples again there.
 */
export function siSdrFromMoments(m: Moments, zeroMean = true): number {
  const terms = siSdrTerms(m, zeroMean);
  return typeof terms === 'number' ? terms : ratioDb(terms.target, terms.residual);
}

/** SI-SDR of channels a against b, with the residual summed again from the samples where the moments alone are imprecise. */
function siSdrOfPair(m: Moments, zeroMean: boolean, a: readonly Channel[], b: readonly Channel[], length: number): number {
  const terms = siSdrTerms(m, zeroMean);
  if (typeof terms === 'number') return terms;
  const onePass = ratioDb(terms.target, terms.residual);
  if (!(onePass > SECOND_PASS_ABOVE_DB)) return onePass;
  return ratioDb(terms.target, Math.max(residualEnergy(a, b, length, terms.projection), terms.floor));
}

/** Plain SDR of channels a against b, with the error summed again from the samples where the moments alone are imprecise. */
function sdrOfPair(m: Moments, a: readonly Channel[], b: readonly Channel[], length: number): number {
  const value = sdrFromMoments(m);
  if (!(value > SECOND_PASS_ABOVE_DB)) return value;
  const error = residualEnergy(a, b, length, { scale: 1, meanA: 0, meanB: 0 });
  return ratioDb(m.sumBB, Math.max(error, Math.max(m.sumAA, m.sumBB) * RESOLUTION));
}

/** Plain SDR from moments: 10·log10(‖r‖² / ‖r − e‖²). */
export function sdrFromMoments(m: Moments): number {
  const error = Math.max(m.sumAA - 2 * m.sumAB + m.sumBB, 0);
  const floor = Math.max(m.sumAA, m.sumBB) * RESOLUTION;
  return ratioDb(m.sumBB, error > floor || m.sumBB === 0 ? error : floor);
}

/** Pearson correlation from moments. */
export function correlationFromMoments(m: Moments): number {
  const covariance = m.sumAB - (m.sumA * m.sumB) / m.n;
  const varianceA = m.sumAA - (m.sumA * m.sumA) / m.n;
  const varianceB = m.sumBB - (m.sumB * m.sumB) / m.n;
  if (varianceA <= 0 || varianceB <= 0) return Number.NaN;
  return Math.max(-1, Math.min(1, covariance / Math.sqrt(varianceA * varianceB)));
}

/**
 * Scale-invariant signal-to-distortion ratio in dB, over all channels
 * together (one scale factor for the whole signal). {@link siSdrPerChannel}
 * gives one value per channel. A silent reference gives NaN (undefined); a
 * silent estimate of a non-silent reference gives −∞; a perfect (scaled)
 * copy gives about 156 dB, the float64 limit. One pass over the samples,
 * and a second one where the result is above 60 dB, so that the residual is
 * exact there too.
 */
export function siSdr(estimate: Signal, reference: Signal, options: SiSdrOptions = {}): number {
  const { a, b, length } = pairOf(estimate, reference, options);
  return siSdrOfPair(pairMoments(a, b, length, ['estimate', 'reference']).total, options.zeroMean ?? true, a, b, length);
}

/** SI-SDR of each channel on its own. */
export function siSdrPerChannel(estimate: Signal, reference: Signal, options: SiSdrOptions = {}): number[] {
  const { a, b, length } = pairOf(estimate, reference, options);
  const zeroMean = options.zeroMean ?? true;
  return pairMoments(a, b, length, ['estimate', 'reference']).channels.map((m, c) =>
    siSdrOfPair(m, zeroMean, [a[c] as Channel], [b[c] as Channel], length),
  );
}

/**
 * The plain energy ratio 10·log10(‖r‖² / ‖r − e‖²) in dB, over all channels
 * together. Not BSS-Eval's SDR (see {@link bssEval}): no distortion filters,
 * not scale-invariant, so a scaled copy is penalised.
 */
export function sdr(estimate: Signal, reference: Signal, options: PairOptions = {}): number {
  const { a, b, length } = pairOf(estimate, reference, options);
  return sdrOfPair(pairMoments(a, b, length, ['estimate', 'reference']).total, a, b, length);
}

/** Plain SDR of each channel. */
export function sdrPerChannel(estimate: Signal, reference: Signal, options: PairOptions = {}): number[] {
  const { a, b, length } = pairOf(estimate, reference, options);
  return pairMoments(a, b, length, ['estimate', 'reference']).channels.map((m, c) =>
    sdrOfPair(m, [a[c] as Channel], [b[c] as Channel], length),
  );
}

/**
 * Signal-to-noise ratio 10·log10(‖signal‖² / ‖noise‖²) in dB, given the
 * signal and the noise separately. (For an estimate of a reference,
 * snr(reference, estimate − reference) equals {@link sdr}.)
 */
export function snr(signal: Signal, noise: Signal, options: PairOptions = {}): number {
  const { a, b, length } = pairOf(signal, noise, options, ['signal', 'noise']);
  const { total } = pairMoments(a, b, length, ['signal', 'noise']);
  return ratioDb(total.sumAA, total.sumBB);
}

/** Pearson correlation of all samples of all channels together; NaN when either signal is constant. */
export function correlation(a: Signal, b: Signal, options: PairOptions = {}): number {
  const pair = pairOf(a, b, options, ['a', 'b']);
  return correlationFromMoments(pairMoments(pair.a, pair.b, pair.length, ['a', 'b']).total);
}

/** Pearson correlation of each channel. */
export function correlationPerChannel(a: Signal, b: Signal, options: PairOptions = {}): number[] {
  const pair = pairOf(a, b, options, ['a', 'b']);
  return pairMoments(pair.a, pair.b, pair.length, ['a', 'b']).channels.map(correlationFromMoments);
}

/** All four pairwise metrics of an estimate, overall and per channel. */
export interface SignalMetrics {
  siSdr: number;
  sdr: number;
  snr: number;
  correlation: number;
  channels: { siSdr: number; sdr: number; snr: number; correlation: number }[];
}

function metricsOfPair(m: Moments, zeroMean: boolean, a: readonly Channel[], b: readonly Channel[], length: number) {
  const value = sdrOfPair(m, a, b, length);
  return { siSdr: siSdrOfPair(m, zeroMean, a, b, length), sdr: value, snr: value, correlation: correlationFromMoments(m) };
}

/**
 * SI-SDR, SDR, SNR (of the estimate, noise = estimate − reference, which
 * equals SDR) and correlation, overall and per channel, in one pass (a
 * second one only where a ratio is above 60 dB, for precision).
 */
export function measure(estimate: Signal, reference: Signal, options: SiSdrOptions = {}): SignalMetrics {
  const { a, b, length } = pairOf(estimate, reference, options);
  const { channels, total } = pairMoments(a, b, length, ['estimate', 'reference']);
  const zeroMean = options.zeroMean ?? true;
  return {
    ...metricsOfPair(total, zeroMean, a, b, length),
    channels: channels.map((m, c) => metricsOfPair(m, zeroMean, [a[c] as Channel], [b[c] as Channel], length)),
  };
}
