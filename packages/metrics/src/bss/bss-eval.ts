import { SluiceError, abortError, anySizeFftPlan, fastFftSize } from '@sluice/core';
import { type Channel, type Signal, channelsOf, reportNonFinite } from '../signal/input';
import { crossCorrelations, type CorrelationPair } from './correlate';
import { type SolveReport, solveConditioned } from './conditioned-solve';
import { type Spectrum, multiplySumHalf, spectraOf } from './spectra';
import { SpectrumArena } from './spectrum-arena';

/** Options for {@link bssEval}. */
export interface BssEvalOptions {
  /** Sample rate of the signals, to turn seconds into frames (default 44100). */
  sampleRate?: number;
  /** Window length in seconds (default 1, as museval uses for MUSDB18). `Infinity` = the whole track. */
  windowSeconds?: number;
  /** Hop between windows in seconds (default 1). */
  hopSeconds?: number;
  /** Distortion filter length in taps (default 512). */
  filterLength?: number;
  /**
   * `images` (default, what SiSEC reports): SDR, ISR, SIR, SAR of source
   * images. `sources`: the bss_eval_sources criteria (SDR, SIR, SAR against
   * the filtered reference; ISR is NaN).
   */
  mode?: 'images' | 'sources';
  /** Called after each window with the fraction done. */
  onProgress?: (fraction: number) => void;
  /** Cancels the computation (rejects with `E_ABORTED`). */
  signal?: AbortSignal;
}

/** Per-source, per-window BSS-Eval v4 results, with medians over windows. */
export interface BssEvalResult {
  /** [source][window] in dB; NaN where a reference or estimate is silent in that window. */
  sdr: number[][];
  isr: number[][];
  sir: number[][];
  sar: number[][];
  /** Median over the windows that are not NaN, per source (NaN if none). */
  median: { sdr: number[]; isr: number[]; sir: number[]; sar: number[] };
  /** Number of windows, window and hop in frames. */
  windows: number;
  windowFrames: number;
  hopFrames: number;
  mode: 'images' | 'sources';
  /**
   * True when the references are linearly dependent or nearly so (a mono
   * stem stored as stereo, one channel a delayed copy of another) and the
   * filters needed regularisation: the figures are still meaningful (the
   * estimate is projected onto the space the references span), but SIR and
   * ISR cannot tell apart contributions the references cannot tell apart.
   */
  illConditioned: boolean;
  /** The largest diagonal loading used, relative to the mean diagonal (0 when none was needed). */
  regularization: number;
}

/** museval adds machine epsilon to G's diagonal before solving; so do we, for identical filters. */
const EPSILON = 2 ** -52;

/**
 * BSS-Eval version 4, as museval implements it for SiSEC/MUSDB18:
 * distortion filters (`filterLength` taps) are computed once over the whole
 * track, then each window's references are projected through them and SDR,
 * ISR, SIR and SAR measured per window; windows where any reference or
 * estimate source is silent give NaN; medians skip NaN. Sources are taken
 * in the given order (no permutation search).
 *
 * Unlike BSS-Eval v3 (mir_eval), which re-estimates the filters in every
 * window, v4 filters do not follow local changes. With one window covering
 * the whole track the two coincide, which is how the tests check this code
 * against mir_eval.
 *
 * `estimates[j]` and `references[j]` are planar signals (one array per
 * channel) of equal channel count and length.
 */
export async function bssEval(
  estimates: readonly Signal[],
  references: readonly Signal[],
  options: BssEvalOptions = {},
): Promise<BssEvalResult> {
  const { refs, ests, sources, channels, length } = validate(estimates, references);
  const sampleRate = options.sampleRate ?? 44100;
  const filterLength = options.filterLength ?? 512;
  const mode = options.mode ?? 'images';
  const windowFrames = Math.min(length, framesOf(options.windowSeconds ?? 1, sampleRate, 'windowSeconds', length));
  const hopFrames = framesOf(options.hopSeconds ?? 1, sampleRate, 'hopSeconds', length);
  const windows = windowFrames < length ? Math.floor((length - windowFrames + hopFrames) / hopFrames) : 1;

  const p = sources * channels;
  const signals = [...refs, ...ests];
  const pairs: CorrelationPair[] = [];
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) pairs.push({ x: i, y: j });
  const referencePairs = pairs.length;
  for (let k = 0; k < p; k++) for (let col = 0; col < p; col++) pairs.push({ x: k, y: p + col });
  const correlations = crossCorrelations(signals, pairs, filterLength);
  await yieldToLoop(options.signal);

  const lagOffset = filterLength - 1;
  const pairIndex = (i: number, j: number) => i * p - (i * (i - 1)) / 2 + (j - i);
  const r = new Float64Array(filterLength * p * p);
  for (let d = 0; d < filterLength; d++) {
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        const value =
          i <= j
            ? (correlations[pairIndex(i, j)] as Float64Array)[lagOffset + d]
            : (correlations[pairIndex(j, i)] as Float64Array)[lagOffset - d];
        r[d * p * p + i * p + j] = (value as number) + (d === 0 && i === j ? EPSILON : 0);
      }
    }
  }
  const y = new Float64Array(filterLength * p * p);
  for (let u = 0; u < filterLength; u++) {
    for (let k = 0; k < p; k++) {
      for (let col = 0; col < p; col++)
        y[u * p * p + k * p + col] = (correlations[referencePairs + k * p + col] as Float64Array)[lagOffset + u] as number;
    }
  }
  const reports: SolveReport[] = [];
  const solve = (rr: Float64Array, yy: Float64Array, pp: number, qq: number): Float64Array => {
    const solved = solveConditioned(rr, yy, filterLength, pp, qq);
    if (solved === null) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        'bssEval: the distortion filters cannot be computed even with regularisation (are the references silent or not finite?)',
      );
    }
    reports.push(solved.report);
    return solved.x;
  };
  const filters = solve(r, y, p, p);
  const ownFilters = Array.from({ length: sources }, (_, j) => {
    const rj = new Float64Array(filterLength * channels * channels);
    const yj = new Float64Array(filterLength * channels * channels);
    for (let d = 0; d < filterLength; d++) {
      for (let a = 0; a < channels; a++) {
        for (let b = 0; b < channels; b++) {
          rj[(d * channels + a) * channels + b] = r[d * p * p + (j * channels + a) * p + (j * channels + b)] as number;
          yj[(d * channels + a) * channels + b] = y[d * p * p + (j * channels + a) * p + (j * channels + b)] as number;
        }
      }
    }
    return solve(rj, yj, channels, channels);
  });
  await yieldToLoop(options.signal);

  // Filter spectra at the window transform size: H[e][c][k] from ref k, Hj[e][c][a] from own channel a.
  // 3·2^k sizes too: a 1 s window at 44.1 kHz (44,611 samples with the filter's tail) takes 49,152 points, not 65,536.
  const size = fastFftSize(windowFrames + filterLength - 1);
  const plan = anySizeFftPlan(size);
  // Every signal is real, so every spectrum is kept as bins 0…size/2; all of them in one arena, so that the
  // projections' multiply-accumulate runs in SIMD. In order: the filters' (p per estimate channel), the own
  // filters' (channels per estimate channel), each window's references and estimates, the projections.
  const bins = size / 2 + 1;
  const arena = new SpectrumArena(new Array<number>(sources * channels * (p + channels) + 2 * p + 2 * channels).fill(bins));
  const free = arena.spectra.values();
  const take = (count: number) => Array.from({ length: count }, () => free.next().value as Spectrum);
  const tap = (coefficients: Float64Array, rows: number, cols: number, row: number, col: number) =>
    Float64Array.from({ length: filterLength }, (_, u) => coefficients[(u * rows + row) * cols + col] as number);
  const allSpectra: Spectrum[][][] = [];
  const ownSpectra: Spectrum[][][] = [];
  for (let e = 0; e < sources; e++) {
    allSpectra.push(
      Array.from({ length: channels }, (_, c) =>
        spectraOf(
          plan,
          Array.from({ length: p }, (_, k) => tap(filters, p, p, k, e * channels + c)),
          take(p),
        ),
      ),
    );
    ownSpectra.push(
      Array.from({ length: channels }, (_, c) =>
        spectraOf(
          plan,
          Array.from({ length: channels }, (_, a) => tap(ownFilters[e] as Float64Array, channels, channels, a, c)),
          take(channels),
        ),
      ),
    );
  }

  const result = { sdr: grid(sources, windows), isr: grid(sources, windows), sir: grid(sources, windows), sar: grid(sources, windows) };
  // Buffers reused by every window: the references' spectra, the estimates' and the projections'.
  const windowSpectra = take(p);
  const estimateSpectra = take(p);
  const halves = take(2 * channels);
  for (let t = 0; t < windows; t++) {
    if (options.signal?.aborted) throw abortError(options.signal, 'bssEval');
    const start = t * hopFrames;
    const end = Math.min(start + windowFrames, length);
    if (anySilent(refs, sources, channels, start, end) || anySilent(ests, sources, channels, start, end)) {
      for (const table of Object.values(result)) for (let j = 0; j < sources; j++) (table[j] as number[])[t] = Number.NaN;
      continue;
    }
    spectraOf(
      plan,
      refs.map((ref) => ref.subarray(start, end)),
      windowSpectra,
    );
    spectraOf(
      plan,
      ests.map((est) => est.subarray(start, end)),
      estimateSpectra,
    );
    for (let e = 0; e < sources; e++) {
      // The window's references through the filters, in the frequency domain: every reference (for SIR and SAR) and
      // the source's own channels (for ISR), channel by channel; only the bins up to Nyquist, since all are real.
      const own = windowSpectra.slice(e * channels, (e + 1) * channels);
      for (let c = 0; c < channels; c++) {
        multiplySumHalf(arena, (allSpectra[e] as Spectrum[][])[c] as Spectrum[], windowSpectra, halves[c] as Spectrum, bins);
        multiplySumHalf(arena, (ownSpectra[e] as Spectrum[][])[c] as Spectrum[], own, halves[channels + c] as Spectrum, bins);
      }
      const energies = spectralEnergies(
        halves.slice(0, channels),
        halves.slice(channels),
        windowSpectra.slice(e * channels, (e + 1) * channels),
        estimateSpectra.slice(e * channels, (e + 1) * channels),
        size,
      );
      const criteria = mode === 'images' ? imageCriteria(energies) : sourceCriteria(energies);
      (result.sdr[e] as number[])[t] = criteria.sdr;
      (result.isr[e] as number[])[t] = criteria.isr;
      (result.sir[e] as number[])[t] = criteria.sir;
      (result.sar[e] as number[])[t] = criteria.sar;
    }
    options.onProgress?.((t + 1) / windows);
    if (t % 4 === 3) await yieldToLoop(options.signal);
  }
  return {
    ...result,
    median: {
      sdr: result.sdr.map(nanMedian),
      isr: result.isr.map(nanMedian),
      sir: result.sir.map(nanMedian),
      sar: result.sar.map(nanMedian),
    },
    windows,
    windowFrames,
    hopFrames,
    mode,
    illConditioned: reports.some((report) => report.loading > 0),
    regularization: Math.max(...reports.map((report) => report.loading)),
  };
}

interface Energies {
  trueEnergy: number;
  trueError: number;
  spatialError: number;
  ownEnergy: number;
  interference: number;
  projectedEnergy: number;
  artifacts: number;
  ownError: number;
}

/**
 * The energy sums behind the criteria, over the window padded with
 * filterLength − 1 zeros, from the spectra (Parseval): every signal involved
 * (the window's references and estimates, zero-padded, and their projections,
 * linear convolutions no longer than the transform) is zero beyond
 * outputLength, so its energy over the padded window is its energy over the
 * transform, Σ|X[k]|²/N. Real signals: the bins up to Nyquist, the others
 * counted twice. This saves the inverse transforms of the projections.
 */
function spectralEnergies(projected: Spectrum[], ownProjected: Spectrum[], refs: Spectrum[], ests: Spectrum[], size: number): Energies {
  let trueEnergy = 0;
  let trueError = 0;
  let spatialError = 0;
  let ownEnergy = 0;
  let interference = 0;
  let projectedEnergy = 0;
  let artifacts = 0;
  let ownError = 0;
  const half = size / 2;
  for (let c = 0; c < projected.length; c++) {
    const { re: aRe, im: aIm } = projected[c] as Spectrum;
    const { re: jRe, im: jIm } = ownProjected[c] as Spectrum;
    const { re: sRe, im: sIm } = refs[c] as Spectrum;
    const { re: eRe, im: eIm } = ests[c] as Spectrum;
    for (let k = 0; k <= half; k++) {
      const weight = k === 0 || k === half ? 1 : 2;
      const sr = sRe[k] as number;
      const si = sIm[k] as number;
      const er = eRe[k] as number;
      const ei = eIm[k] as number;
      const jr = jRe[k] as number;
      const ji = jIm[k] as number;
      const ar = aRe[k] as number;
      const ai = aIm[k] as number;
      trueEnergy += weight * (sr * sr + si * si);
      trueError += weight * ((er - sr) ** 2 + (ei - si) ** 2);
      spatialError += weight * ((jr - sr) ** 2 + (ji - si) ** 2);
      ownEnergy += weight * (jr * jr + ji * ji);
      interference += weight * ((ar - jr) ** 2 + (ai - ji) ** 2);
      projectedEnergy += weight * (ar * ar + ai * ai);
      artifacts += weight * ((er - ar) ** 2 + (ei - ai) ** 2);
      ownError += weight * ((er - jr) ** 2 + (ei - ji) ** 2);
    }
  }
  // The 1/N of Parseval cancels in every ratio, but the sums are kept as energies.
  return {
    trueEnergy: trueEnergy / size,
    trueError: trueError / size,
    spatialError: spatialError / size,
    ownEnergy: ownEnergy / size,
    interference: interference / size,
    projectedEnergy: projectedEnergy / size,
    artifacts: artifacts / size,
    ownError: ownError / size,
  };
}

/** museval's `_safe_db`: a zero denominator is +∞. */
function safeDb(numerator: number, denominator: number): number {
  if (denominator === 0) return Number.POSITIVE_INFINITY;
  return 10 * Math.log10(numerator / denominator);
}

function imageCriteria(e: Energies) {
  return {
    sdr: safeDb(e.trueEnergy, e.trueError),
    isr: safeDb(e.trueEnergy, e.spatialError),
    sir: safeDb(e.ownEnergy, e.interference),
    sar: safeDb(e.projectedEnergy, e.artifacts),
  };
}

function sourceCriteria(e: Energies) {
  return {
    sdr: safeDb(e.ownEnergy, e.ownError),
    isr: Number.NaN,
    sir: safeDb(e.ownEnergy, e.interference),
    sar: safeDb(e.projectedEnergy, e.artifacts),
  };
}

/** museval's `_any_source_silent`: a source whose channel sum is 0 at every sample of the range. */
function anySilent(signals: Channel[], sources: number, channels: number, start: number, end: number): boolean {
  for (let j = 0; j < sources; j++) {
    let silent = true;
    for (let n = start; n < end && silent; n++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += (signals[j * channels + c] as Channel)[n] as number;
      if (sum !== 0) silent = false;
    }
    if (silent) return true;
  }
  return false;
}

/** Median ignoring NaN (NaN when every value is NaN). */
export function nanMedian(values: readonly number[]): number {
  const kept = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (kept.length === 0) return Number.NaN;
  const middle = kept.length >> 1;
  return kept.length % 2 === 1 ? (kept[middle] as number) : ((kept[middle - 1] as number) + (kept[middle] as number)) / 2;
}

function grid(rows: number, columns: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(columns).fill(Number.NaN));
}

function framesOf(seconds: number, sampleRate: number, name: string, length: number): number {
  if (seconds === Number.POSITIVE_INFINITY) return length;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new SluiceError('E_INVALID_ARGUMENT', `bssEval: ${name} must be positive, got ${String(seconds)}`);
  return Math.max(1, Math.round(seconds * sampleRate));
}

function validate(estimates: readonly Signal[], references: readonly Signal[]) {
  if (!Array.isArray(estimates) || !Array.isArray(references) || references.length === 0) {
    throw new SluiceError('E_INVALID_ARGUMENT', 'bssEval: give arrays of sources (each a signal) for estimates and references');
  }
  if (estimates.length !== references.length) {
    throw new SluiceError('E_FORMAT', `bssEval: ${estimates.length} estimate(s) for ${references.length} reference(s)`);
  }
  const refChannels = references.map((r, j) => channelsOf(r, `reference ${j}`));
  const estChannels = estimates.map((e, j) => channelsOf(e, `estimate ${j}`));
  const channels = refChannels[0]?.length ?? 0;
  const length = refChannels[0]?.[0]?.length ?? 0;
  for (const [j, group] of [...refChannels, ...estChannels].entries()) {
    if (group.length !== channels || (group[0]?.length ?? 0) !== length) {
      throw new SluiceError(
        'E_FORMAT',
        `bssEval: every source must have ${channels} channel(s) of ${length} samples (source ${j % references.length} does not)`,
      );
    }
  }
  if (length === 0) throw new SluiceError('E_INVALID_ARGUMENT', 'bssEval: the signals are empty');
  const refs = refChannels.flat() as Channel[];
  const ests = estChannels.flat() as Channel[];
  for (const [name, group] of [
    ['reference', refs],
    ['estimate', ests],
  ] as const) {
    for (const channel of group) {
      let sum = 0;
      for (let i = 0; i < length; i++) sum += (channel[i] as number) * (channel[i] as number);
      if (!Number.isFinite(sum)) reportNonFinite([[`bssEval ${name}`, group]], length);
    }
    const sources = references.length;
    if (anySilent(group, sources, channels, 0, length)) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `bssEval: a ${name} source is all zeros; BSS-Eval is undefined for silent sources (museval refuses them too). Drop that source or use siSdr.`,
      );
    }
  }
  return { refs, ests, sources: references.length, channels, length };
}

function yieldToLoop(signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, 'bssEval'));
  return new Promise((resolve) => setImmediate(resolve));
}
