import { SluiceError } from '@sluice/core';

/**
 * How the model input is normalised. demucs normalises by the mean and
 * standard deviation of the whole track (of the channel average); a stream
 * has no whole track, so `'running'` uses the statistics of everything
 * received up to the end of each window. `{ mean, std }` fixes them (what
 * `separate()` does after a first pass), `'none'` feeds the audio as it is.
 */
export type Normalization = 'running' | 'none' | { readonly mean: number; readonly std: number };

/** demucs adds this to the standard deviation so that silence does not divide by zero. */
export const NORMALIZATION_EPSILON = 1e-8;
const EPSILON = NORMALIZATION_EPSILON;

/** Mean and unbiased standard deviation of the channel average, accumulated frame by frame (Welford). */
export class RunningStats {
  private count = 0;
  private runningMean = 0;
  private m2 = 0;

  /** Adds frames [from, to) of `planes`. */
  add(planes: readonly Float32Array[], from: number, to: number): void {
    const channels = planes.length;
    for (let i = from; i < to; i++) {
      let value = 0;
      for (let c = 0; c < channels; c++) value += (planes[c] as Float32Array)[i] as number;
      value /= channels;
      this.count++;
      const delta = value - this.runningMean;
      this.runningMean += delta / this.count;
      this.m2 += delta * (value - this.runningMean);
    }
  }

  /** Starts again from nothing. */
  reset(): void {
    this.count = 0;
    this.runningMean = 0;
    this.m2 = 0;
  }

  /** Frames seen. */
  get frames(): number {
    return this.count;
  }

  /** The statistics so far (mean 0, std 0 before any frame). */
  get stats(): { mean: number; std: number } {
    return { mean: this.runningMean, std: this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0 };
  }
}

/** Whole-track statistics, as demucs computes them before separating. */
export function trackStats(planes: readonly Float32Array[]): { mean: number; std: number } {
  const stats = new RunningStats();
  stats.add(planes, 0, planes[0]?.length ?? 0);
  return stats.stats;
}

/**
 * Normalises the audio of a model window in place, (x − mean) / (std + ε),
 * frames [from, to) only: demucs normalises the track and pads afterwards
 * (demucs/api.py `separate_tensor`: `wav -= ref.mean(); wav /= ref.std() +
 * 1e-8` before `apply_model`), so padding reaches the model as zeros, not
 * as −mean/std.
 */
export function normalizeWindow(window: Float32Array[], stats: { mean: number; std: number }, from = 0, to = window[0]?.length ?? 0): void {
  const scale = 1 / (stats.std + EPSILON);
  for (const plane of window) for (let i = from; i < to; i++) plane[i] = ((plane[i] as number) - stats.mean) * scale;
}

/** The affine map that undoes {@link normalizeWindow} on the model output: y · scale + offset. */
export function denormalization(stats: { mean: number; std: number } | undefined): { scale: number; offset: number } {
  return stats === undefined ? { scale: 1, offset: 0 } : { scale: stats.std + EPSILON, offset: stats.mean };
}

/** Checks a user-supplied normalisation. */
export function checkNormalization(value: Normalization): Normalization {
  if (value === 'running' || value === 'none') return value;
  if (typeof value === 'object' && value !== null && Number.isFinite(value.mean) && Number.isFinite(value.std) && value.std >= 0)
    return value;
  throw new SluiceError(
    'E_INVALID_ARGUMENT',
    `normalize must be 'running', 'none' or { mean, std } with finite values, got ${JSON.stringify(value)}`,
  );
}

/**
 * demucs' whole-track statistics of a stream, read to its end in constant
 * memory: the mean and unbiased standard deviation of the channel average
 * (demucs/api.py: `ref = wav.mean(0)`, `ref.mean()`, `ref.std()`). A first
 * pass over a file, so that a streaming separation can then normalise as
 * demucs does (`normalize: await streamStats(await FileSource.open(path))`).
 */
export async function streamStats(
  source: AsyncIterable<{ planes: readonly Float32Array[]; frames: number }>,
): Promise<{ mean: number; std: number }> {
  const stats = new RunningStats();
  for await (const chunk of source) stats.add(chunk.planes, 0, chunk.frames);
  return stats.stats;
}
