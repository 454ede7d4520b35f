import { SluiceError, abortError, fftPlan, nextPowerOfTwo } from '@sluice/core';
import { type Channel, type Signal, channelsOf, reportNonFinite } from '../signal/input';
import { crossCorrelations, type CorrelationPair } from './correlate';
import { type SolveReport, solveConditioned } from './conditioned-solve';
import { type Spectrum, spectraOf, inverseRealPairs } from './spectra';

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
  const size = nextPowerOfTwo(windowFrames + filterLength - 1);
  const plan = fftPlan(size);
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
        ),
      ),
    );
    ownSpectra.push(
      Array.from({ length: channels }, (_, c) =>
        spectraOf(
          plan,
          Array.from({ length: channels }, (_, a) => tap(ownFilters[e] as Float64Array, channels, channels, a, c)),
        ),
      ),
    );
  }

  const result = { sdr: grid(sources, windows), isr: grid(sources, windows), sir: grid(sources, windows), sar: grid(sources, windows) };
  const outputLength = windowFrames + filterLength - 1;
  for (let t = 0; t < windows; t++) {
    if (options.signal?.aborted) throw abortError(options.signal, 'bssEval');
    const start = t * hopFrames;
    const end = Math.min(start + windowFrames, length);
    if (anySilent(refs, sources, channels, start, end) || anySilent(ests, sources, channels, start, end)) {
      for (const table of Object.values(result)) for (let j = 0; j < sources; j++) (table[j] as number[])[t] = Number.NaN;
      continue;
    }
    const windowSpectra = spectraOf(
      plan,
      refs.map((ref) => ref.subarray(start, end)),
    );
    for (let e = 0; e < sources; e++) {
      const project = (filterSpectra: Spectrum[], inputs: Spectrum[]) => {
        const re = new Float64Array(size);
        const im = new Float64Array(size);
        for (const [k, h] of filterSpectra.entries()) {
          const w = inputs[k] as Spectrum;
          for (let f = 0; f < size; f++) {
            re[f] = (re[f] as number) + (w.re[f] as number) * (h.re[f] as number) - (w.im[f] as number) * (h.im[f] as number);
            im[f] = (im[f] as number) + (w.re[f] as number) * (h.im[f] as number) + (w.im[f] as number) * (h.re[f] as number);
          }
        }
        return { re, im };
      };
      const own = windowSpectra.slice(e * channels, (e + 1) * channels);
      const projections = inverseRealPairs(plan, [
        ...Array.from({ length: channels }, (_, c) => project((allSpectra[e] as Spectrum[][])[c] as Spectrum[], windowSpectra)),
        ...Array.from({ length: channels }, (_, c) => project((ownSpectra[e] as Spectrum[][])[c] as Spectrum[], own)),
      ]);
      const energies = windowEnergies(
        projections.slice(0, channels),
        projections.slice(channels),
        refs.slice(e * channels, (e + 1) * channels),
        ests.slice(e * channels, (e + 1) * channels),
        start,
        end,
        outputLength,
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

/** The energy sums behind the criteria, over the window padded with filterLength − 1 zeros. */
function windowEnergies(
  projected: Float64Array[],
  ownProjected: Float64Array[],
  refs: Channel[],
  ests: Channel[],
  start: number,
  end: number,
  outputLength: number,
): Energies {
  const sums: Energies = {
    trueEnergy: 0,
    trueError: 0,
    spatialError: 0,
    ownEnergy: 0,
    interference: 0,
    projectedEnergy: 0,
    artifacts: 0,
    ownError: 0,
  };
  const width = end - start;
  for (let c = 0; c < projected.length; c++) {
    const all = projected[c] as Float64Array;
    const own = ownProjected[c] as Float64Array;
    const ref = refs[c] as Channel;
    const est = ests[c] as Channel;
    for (let n = 0; n < outputLength; n++) {
      const s = n < width ? (ref[start + n] as number) : 0;
      const e = n < width ? (est[start + n] as number) : 0;
      const pj = own[n] as number;
      const pa = all[n] as number;
      sums.trueEnergy += s * s;
      sums.trueError += (e - s) ** 2;
      sums.spatialError += (pj - s) ** 2;
      sums.ownEnergy += pj * pj;
      sums.interference += (pa - pj) ** 2;
      sums.projectedEnergy += pa * pa;
      sums.artifacts += (e - pa) ** 2;
      sums.ownError += (e - pj) ** 2;
    }
  }
  return sums;
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
