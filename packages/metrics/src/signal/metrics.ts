import { type PairOptions, type Signal, pairOf } from './input';
import { type Moments, RESOLUTION, pairMoments, ratioDb } from './moments';

/** Options for {@link siSdr}. */
export interface SiSdrOptions extends PairOptions {
  /** Remove each signal's mean first, as Le Roux et al. define it (default true). */
  zeroMean?: boolean;
}

/**
 * SI-SDR from moments (Le Roux et al., 2019): the estimate is projected on
 * the reference, ŝ_target = α·s with α = ⟨ŝ, s⟩ / ‖s‖², and
 * SI-SDR = 10·log10(‖ŝ_target‖² / ‖ŝ − ŝ_target‖²).
 */
export function siSdrFromMoments(m: Moments, zeroMean = true): number {
  const cross = zeroMean ? m.sumAB - (m.sumA * m.sumB) / m.n : m.sumAB;
  const referenceEnergy = zeroMean ? m.sumBB - (m.sumB * m.sumB) / m.n : m.sumBB;
  const estimateEnergy = zeroMean ? m.sumAA - (m.sumA * m.sumA) / m.n : m.sumAA;
  if (referenceEnergy <= 0) return Number.NaN;
  if (estimateEnergy <= 0) return Number.NEGATIVE_INFINITY;
  const target = (cross * cross) / referenceEnergy;
  // ‖ŝ − target‖² = ‖ŝ‖² − ‖target‖² (orthogonal); floored at float64 resolution, so a perfect copy scores ≈ 156 dB, not ∞.
  const residual = Math.max(estimateEnergy - target, estimateEnergy * RESOLUTION);
  return ratioDb(target, residual);
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
 * copy gives about 156 dB, the float64 limit.
 */
export function siSdr(estimate: Signal, reference: Signal, options: SiSdrOptions = {}): number {
  const { a, b, length } = pairOf(estimate, reference, options);
  return siSdrFromMoments(pairMoments(a, b, length, ['estimate', 'reference']).total, options.zeroMean ?? true);
}

/** SI-SDR of each channel on its own. */
export function siSdrPerChannel(estimate: Signal, reference: Signal, options: SiSdrOptions = {}): number[] {
  const { a, b, length } = pairOf(estimate, reference, options);
  return pairMoments(a, b, length, ['estimate', 'reference']).channels.map((m) => siSdrFromMoments(m, options.zeroMean ?? true));
}

/**
 * The plain energy ratio 10·log10(‖r‖² / ‖r − e‖²) in dB, over all channels
 * together. Not BSS-Eval's SDR (see {@link bssEval}): no distortion filters,
 * not scale-invariant, so a scaled copy is penalised.
 */
export function sdr(estimate: Signal, reference: Signal, options: PairOptions = {}): number {
  const { a, b, length } = pairOf(estimate, reference, options);
  return sdrFromMoments(pairMoments(a, b, length, ['estimate', 'reference']).total);
}

/** Plain SDR of each channel. */
export function sdrPerChannel(estimate: Signal, reference: Signal, options: PairOptions = {}): number[] {
  const { a, b, length } = pairOf(estimate, reference, options);
  return pairMoments(a, b, length, ['estimate', 'reference']).channels.map(sdrFromMoments);
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

function fromMoments(m: Moments, zeroMean: boolean) {
  const value = sdrFromMoments(m);
  return { siSdr: siSdrFromMoments(m, zeroMean), sdr: value, snr: value, correlation: correlationFromMoments(m) };
}

/**
 * SI-SDR, SDR, SNR (of the estimate, noise = estimate − reference, which
 * equals SDR) and correlation, overall and per channel, in one pass.
 */
export function measure(estimate: Signal, reference: Signal, options: SiSdrOptions = {}): SignalMetrics {
  const { a, b, length } = pairOf(estimate, reference, options);
  const { channels, total } = pairMoments(a, b, length, ['estimate', 'reference']);
  const zeroMean = options.zeroMean ?? true;
  return { ...fromMoments(total, zeroMean), channels: channels.map((m) => fromMoments(m, zeroMean)) };
}
