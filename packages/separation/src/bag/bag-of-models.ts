import { SluiceError } from '@sluice/core';
import type { SeparationModel, StemPlanes } from '../model/types';
import { OnnxHTDemucs, type OnnxHTDemucsOptions } from '../onnx/onnx-htdemucs';

/** Options for {@link BagOfModels}. */
export interface BagOfModelsOptions {
  /**
   * One list of per-stem weights per member (demucs' `weights`: N lists of
   * S floats); default all ones. htdemucs_ft is four specialists, stem k
   * from member k: `[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]`.
   */
  weights?: readonly (readonly number[])[];
  /** A name for stats and messages (default `bag(N)`). */
  name?: string;
}

/** A member a lazy bag loads when its turn comes (see {@link LazyBag}). */
export type MemberLoader = () => Promise<SeparationModel>;

/**
 * A bag whose members are loaded one at a time: `separate()` runs member 1
 * over the whole track, closes it, loads member 2, and so on, summing the
 * weighted estimates, exactly as demucs' `apply_model` runs a bag (one
 * member after another over the track). Peak memory is one member's plus
 * the track's stems, instead of every member at once. It cannot stream
 * (each member needs the whole track): use {@link BagOfModels} for that.
 */
export class LazyBag {
  constructor(
    readonly loaders: readonly MemberLoader[],
    readonly options: BagOfModelsOptions & { stems: readonly string[]; sampleRate?: number },
  ) {
    if (loaders.length === 0) throw new SluiceError('E_INVALID_ARGUMENT', 'LazyBag: give at least one member');
  }

  /** Member paths loaded as HTDemucs exports when their turn comes. */
  static fromPaths(
    paths: readonly string[],
    options: BagOfModelsOptions & { stems?: readonly string[]; member?: OnnxHTDemucsOptions } = {},
  ): LazyBag {
    return new LazyBag(
      paths.map((path) => () => OnnxHTDemucs.load(path, options.member ?? {})),
      { ...options, stems: options.stems ?? ['drums', 'bass', 'other', 'vocals'] },
    );
  }
}

/**
 * demucs' `BagOfModels`: several models of the same stems, rate and
 * channels, each stem the weighted average of the members' estimates
 * (demucs/apply.py `apply_model`: `out[:, k] *= inst_weight`;
 * `totals[k] += inst_weight`; `estimates[:, k] /= totals[k]`). demucs runs
 * each member over the whole track and combines at the end; overlap-add is
 * linear, so combining window by window, as here, gives the same result
 * while streaming. Members run one after another on each window (one
 * inference at a time, so compute and working memory are those of one
 * member; every member's weights stay loaded). With random shifts demucs
 * draws different shifts per member; `separate()` draws one set for the bag.
 */
export class BagOfModels implements SeparationModel {
  readonly name: string;
  readonly stems: readonly string[];
  readonly sampleRate: number;
  readonly channels: number;
  readonly segmentFrames: number;
  readonly normalizedInput: boolean;
  private readonly weights: number[][];
  private readonly totals: number[];

  constructor(
    readonly members: readonly SeparationModel[],
    options: BagOfModelsOptions = {},
  ) {
    const [first] = members;
    if (first === undefined) throw new SluiceError('E_INVALID_ARGUMENT', 'BagOfModels: give at least one model');
    for (const member of members) {
      const same =
        member.stems.join() === first.stems.join() &&
        member.sampleRate === first.sampleRate &&
        member.channels === first.channels &&
        member.segmentFrames === first.segmentFrames;
      if (!same) {
        throw new SluiceError(
          'E_MODEL',
          `BagOfModels: every member needs the same stems, rate, channels and window (${first.name}: ${first.stems.join(', ')} at ${first.sampleRate} Hz, ${first.segmentFrames} frames; ${member.name}: ${member.stems.join(', ')} at ${member.sampleRate} Hz, ${member.segmentFrames} frames)`,
        );
      }
    }
    this.weights = (options.weights ?? members.map(() => first.stems.map(() => 1))).map((row) => [...row]);
    if (
      this.weights.length !== members.length ||
      this.weights.some((row) => row.length !== first.stems.length || row.some((w) => !Number.isFinite(w)))
    ) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `BagOfModels: weights must be ${members.length} lists of ${first.stems.length} finite numbers (one per member, one per stem)`,
      );
    }
    this.totals = first.stems.map((_, k) => this.weights.reduce((sum, row) => sum + (row[k] as number), 0));
    const unweighted = first.stems.filter((_, k) => this.totals[k] === 0);
    if (unweighted.length > 0)
      throw new SluiceError('E_INVALID_ARGUMENT', `BagOfModels: no member has weight for ${unweighted.join(', ')}`);
    this.name = options.name ?? `bag(${members.length})`;
    this.stems = first.stems;
    this.sampleRate = first.sampleRate;
    this.channels = first.channels;
    this.segmentFrames = first.segmentFrames;
    this.normalizedInput = members.every((member) => member.normalizedInput !== false);
  }

  /** Loads every path as an HTDemucs export (one after another) and bags them. */
  static async load(paths: readonly string[], options: BagOfModelsOptions & { member?: OnnxHTDemucsOptions } = {}): Promise<BagOfModels> {
    const members: OnnxHTDemucs[] = [];
    try {
      for (const path of paths) members.push(await OnnxHTDemucs.load(path, options.member ?? {}));
      return new BagOfModels(members, options);
    } catch (error) {
      await Promise.all(members.map((member) => member.close()));
      throw error;
    }
  }

  async infer(window: Float32Array[], signal?: AbortSignal): Promise<StemPlanes> {
    const frames = window[0]?.length ?? 0;
    const sums: StemPlanes = Object.fromEntries(this.stems.map((stem) => [stem, window.map(() => new Float32Array(frames))]));
    for (const [m, member] of this.members.entries()) {
      const row = this.weights[m] as number[];
      if (row.every((weight) => weight === 0)) continue;
      // Each member gets its own copy: a model may take (transfer) the planes it is given.
      const out = await member.infer(
        window.map((plane) => plane.slice()),
        signal,
      );
      for (const [k, stem] of this.stems.entries()) {
        const weight = row[k] as number;
        if (weight === 0) continue;
        const planes = out[stem];
        if (planes === undefined) throw new SluiceError('E_MODEL', `${member.name} returned no stem "${stem}"`);
        (sums[stem] as Float32Array[]).forEach((sum, c) => {
          const source = planes[c] as Float32Array;
          for (let i = 0; i < frames; i++) sum[i] = (sum[i] as number) + weight * (source[i] as number);
        });
      }
    }
    for (const [k, stem] of this.stems.entries()) {
      const total = this.totals[k] as number;
      for (const sum of sums[stem] as Float32Array[]) for (let i = 0; i < frames; i++) sum[i] = (sum[i] as number) / total;
    }
    return sums;
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((member) => member.close()));
  }
}
