import { type AudioChunk, type Source, SluiceError, abortError, concatPlanes, createAudioChunk } from '@sluice/core';
import { FileSource } from '@sluice/writers';
import { LazyBag } from './bag/bag-of-models';
import type { SeparationModel, StemPlanes } from './model/types';
import { NORMALIZATION_EPSILON, trackStats } from './processor/normalization';
import { SeparationProcessor, type SeparationProcessorOptions } from './processor/separation-processor';

/** Options for {@link separate}. */
export interface SeparateOptions
  extends Pick<SeparationProcessorOptions, 'segmentSeconds' | 'overlap' | 'transitionPower' | 'maxInFlight' | 'onNote'> {
  /** The separator: an ONNX model, a `DspSeparator`, or a `LazyBag` (members loaded one at a time). */
  model: SeparationModel | LazyBag;
  /**
   * demucs' random shifts: run the model this many times on the input
   * delayed by a random 0–0.5 s and average (better quality, `shifts`× the
   * time). 0 (the default) runs once without shifting; demucs' own CLI
   * default `--shifts 1` is one random shift.
   */
  shifts?: number;
  /** Seed for the shifts (default: random). */
  seed?: number;
  /**
   * Normalise by the whole track's mean and standard deviation as demucs
   * does (default: true for trained models, false for the DSP separator).
   */
  normalize?: boolean;
  /** Called as the work advances, with the fraction done (0…1). */
  onProgress?: (fraction: number) => void;
  /** Cancels the work (`E_ABORTED`). */
  signal?: AbortSignal;
}

/** The stems of a whole input, at the model's sample rate. */
export interface SeparationResult {
  sampleRate: number;
  channels: number;
  frames: number;
  /** Stem name → planes, in the model's stem order. */
  stems: StemPlanes;
}

/** A small deterministic generator for the shifts (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function readInput(
  input: readonly Float32Array[] | string | Source,
  model: SeparationModel,
): Promise<{ planes: Float32Array[]; sampleRate: number }> {
  if (Array.isArray(input)) return { planes: input as Float32Array[], sampleRate: model.sampleRate };
  const source = typeof input === 'string' ? await FileSource.open(input, { sampleRate: model.sampleRate }) : (input as Source);
  const parts: (readonly Float32Array[])[] = [];
  try {
    for await (const chunk of source) parts.push(chunk.planes);
  } finally {
    await source.close?.();
  }
  const planes = concatPlanes(parts, source.format.channels);
  return { planes, sampleRate: source.format.sampleRate };
}

/**
 * Separates a whole input (planes at the model's rate, a file path, or a
 * Source) the way demucs' `apply_model` does: normalised by the whole
 * track's statistics, overlap-added segments, optional random shifts
 * averaged. The result holds every stem in memory; for long inputs, stream
 * with {@link SeparationProcessor} instead.
 */
export async function separate(input: readonly Float32Array[] | string | Source, options: SeparateOptions): Promise<SeparationResult> {
  if (options.model instanceof LazyBag) return separateLazyBag(input, options.model, options);
  const model = options.model;
  const { signal } = options;
  const shifts = options.shifts ?? 0;
  if (!Number.isInteger(shifts) || shifts < 0)
    throw new SluiceError('E_INVALID_ARGUMENT', `separate: shifts must be a non-negative integer, got ${shifts}`);
  signal?.throwIfAborted();
  const { planes, sampleRate } = await readInput(input, model);
  const channels = planes.length;
  const frames = planes[0]?.length ?? 0;
  if (channels === 0 || frames === 0) throw new SluiceError('E_INVALID_ARGUMENT', 'separate: the input has no audio');
  // demucs/api.py separate_tensor: ref = wav.mean(0); wav -= ref.mean(); wav /= ref.std() + 1e-8; apply_model(...);
  // out *= ref.std() + 1e-8; out += ref.mean(). The track is normalised before any padding or shifting, so the
  // zeros apply_model pads with (and the shifts' delay) stay zeros.
  const normalize = options.normalize ?? model.normalizedInput !== false;
  const stats = normalize ? trackStats(planes) : undefined;
  const fed = stats === undefined ? planes : planes.map((plane) => normalizedCopy(plane, stats));
  const runs = Math.max(1, shifts);
  const maxShift = Math.floor(0.5 * model.sampleRate);
  const next = random(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const stems: StemPlanes = Object.fromEntries(
    model.stems.map((stem) => [stem, Array.from({ length: channels }, () => new Float32Array(frames))]),
  );
  for (let run = 0; run < runs; run++) {
    // demucs pads by max_shift zeros and starts at a random offset in [0, max_shift]: the input is delayed by max_shift − offset.
    const delay = shifts === 0 ? 0 : maxShift - Math.floor(next() * (maxShift + 1));
    const processor = new SeparationProcessor(model, { ...options, normalize: 'none', resample: 'error' });
    const output = processor.open({ sampleRate, channels });
    const total = frames + delay;
    const step = processor.segmentFrames;
    const accept = (chunks: AudioChunk[]) => {
      for (const chunk of chunks) {
        const from = Math.max(chunk.startFrame, delay);
        for (const [stem, stemPlanes] of Object.entries(chunk.stems ?? {})) {
          stemPlanes.forEach((plane, c) => {
            const target = (stems[stem] as Float32Array[])[c] as Float32Array;
            for (let t = from; t < chunk.startFrame + chunk.frames; t++) {
              target[t - delay] = (target[t - delay] as number) + (plane[t - chunk.startFrame] as number) / runs;
            }
          });
        }
        options.onProgress?.((run + (chunk.startFrame + chunk.frames) / total) / runs);
      }
    };
    for (let at = 0; at < total; at += step) {
      if (signal?.aborted) throw abortError(signal, 'separation');
      const planesNow = fed.map((plane) => {
        const out = new Float32Array(Math.min(step, total - at));
        for (let i = 0; i < out.length; i++) out[i] = at + i < delay ? 0 : (plane[at + i - delay] as number);
        return out;
      });
      accept(await processor.process(createAudioChunk({ format: output, planes: planesNow })));
    }
    accept(await processor.flush());
  }
  if (stats !== undefined) {
    const scale = stats.std + NORMALIZATION_EPSILON;
    for (const stemPlanes of Object.values(stems)) {
      for (const plane of stemPlanes) for (let i = 0; i < plane.length; i++) plane[i] = (plane[i] as number) * scale + stats.mean;
    }
  }
  return { sampleRate: model.sampleRate, channels, frames, stems };
}

/** (x − mean) / (std + ε) as a new plane, in float32 as demucs computes it on its tensor. */
function normalizedCopy(plane: Float32Array, stats: { mean: number; std: number }): Float32Array {
  const out = new Float32Array(plane.length);
  const divisor = stats.std + NORMALIZATION_EPSILON;
  for (let i = 0; i < plane.length; i++) out[i] = ((plane[i] as number) - stats.mean) / divisor;
  return out;
}

/**
 * A lazy bag as demucs' `apply_model` runs a bag: each member over the whole
 * track in turn (`res = apply_model(sub_model, mix, ...)`), its estimate
 * weighted per stem and summed (`out[:, k] *= inst_weight`, `totals[k] +=
 * inst_weight`), the sum divided by the totals; each member closed before
 * the next is loaded. The track is read once.
 */
async function separateLazyBag(
  input: readonly Float32Array[] | string | Source,
  bag: LazyBag,
  options: SeparateOptions,
): Promise<SeparationResult> {
  const stems = bag.options.stems;
  const weights = bag.options.weights ?? bag.loaders.map(() => stems.map(() => 1));
  if (weights.length !== bag.loaders.length || weights.some((row) => row.length !== stems.length)) {
    throw new SluiceError('E_INVALID_ARGUMENT', `LazyBag: weights must be ${bag.loaders.length} lists of ${stems.length} numbers`);
  }
  const totals = stems.map((_, k) => weights.reduce((sum, row) => sum + (row[k] as number), 0));
  let planes: readonly Float32Array[] | undefined = Array.isArray(input) ? (input as Float32Array[]) : undefined;
  let sums: StemPlanes | undefined;
  let result: SeparationResult | undefined;
  for (const [m, load] of bag.loaders.entries()) {
    const member = await load();
    try {
      if (planes === undefined) planes = (await readInput(input as string | Source, member)).planes;
      const row = weights[m] as readonly number[];
      const progress = options.onProgress;
      const out = await separate(planes, {
        ...options,
        model: member,
        ...(progress ? { onProgress: (fraction: number) => progress((m + fraction) / bag.loaders.length) } : {}),
      });
      result ??= out;
      sums ??= Object.fromEntries(stems.map((stem) => [stem, out.stems[stem]?.map((plane) => new Float32Array(plane.length)) ?? []]));
      stems.forEach((stem, k) => {
        const weight = row[k] as number;
        const estimate = out.stems[stem];
        if (estimate === undefined) throw new SluiceError('E_MODEL', `${member.name} returned no stem "${stem}"`);
        estimate.forEach((plane, c) => {
          const target = (sums as StemPlanes)[stem]?.[c] as Float32Array;
          for (let i = 0; i < plane.length; i++) target[i] = (target[i] as number) + weight * (plane[i] as number);
        });
      });
    } finally {
      await member.close();
    }
  }
  stems.forEach((stem, k) => {
    for (const plane of (sums as StemPlanes)[stem] as Float32Array[])
      for (let i = 0; i < plane.length; i++) plane[i] = (plane[i] as number) / (totals[k] as number);
  });
  return { ...(result as SeparationResult), stems: sums as StemPlanes };
}
