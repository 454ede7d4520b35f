import { SluiceError } from '@sluice/core';
import type { StemPlanes } from '../model/types';
import { RunningStats } from './normalization';

/** One segment to run through the model, as demucs' `apply_model` cuts it. */
export interface SegmentJob {
  /** First frame of the segment in the stream. */
  offset: number;
  /** Frames of the segment (the configured length, or fewer at the end). */
  length: number;
  /** The model window, `windowFrames` frames (fresh planes, the caller may keep or transfer them); see {@link OverlapAdd}. */
  window: Float32Array[];
  /** Window frames [audioFrom, audioTo) hold stream audio; the rest is zero padding, which normalisation must leave at zero. */
  audioFrom: number;
  audioTo: number;
  /** Running statistics of the stream up to the end of this window, when the engine tracks them. */
  stats?: { mean: number; std: number };
}

/** Final output frames: the input mix and the stems over the same span. */
export interface OverlapAddOutput {
  startFrame: number;
  mix: Float32Array[];
  stems: StemPlanes;
}

/**
 * How a track is cut into model windows and put back together: demucs'
 * `apply_model` (the default) or UVR's MDX-Net `demix`
 * (python-audio-separator's mdx_separator.py, from UVR's separate.py):
 * `trim = n_fft // 2` zeros before the track, chunks of `chunk_size` every
 * `step = int((1 - overlap) * chunk_size)` from there, each weighted by
 * `np.hanning(chunk_size_actual)` (the last ones shorter) and divided by the
 * summed weights (`result / divider`), the trim cut off again.
 */
export type Chunking = { readonly kind: 'demucs' } | { readonly kind: 'uvr'; readonly trim: number };

const hannings = new Map<number, Float32Array>();

/** numpy's `np.hanning(n)`: the symmetric Hann window, 0 at both ends (1 for n = 1). */
export function numpyHanning(length: number): Float32Array {
  let window = hannings.get(length);
  if (window === undefined) {
    window = Float32Array.from({ length }, (_, i) => (length === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1))));
    hannings.set(length, window);
  }
  return window;
}

function ones(length: number): Float32Array {
  return new Float32Array(length).fill(1);
}

/** demucs' transition weights: a triangle peaking mid-segment, normalised, to the power `transitionPower`. */
export function transitionWeights(segmentFrames: number, transitionPower: number): Float32Array {
  const half = Math.floor(segmentFrames / 2);
  const weights = new Float32Array(segmentFrames);
  let max = 0;
  for (let i = 0; i < segmentFrames; i++) {
    weights[i] = i < half ? i + 1 : segmentFrames - i;
    max = Math.max(max, weights[i] as number);
  }
  for (let i = 0; i < segmentFrames; i++) weights[i] = ((weights[i] as number) / max) ** transitionPower;
  return weights;
}

/** A growable planar buffer whose index 0 is stream frame `base`. */
class FrameBuffer {
  planes: Float32Array[];
  base = 0;
  length = 0;

  constructor(
    readonly channels: number,
    capacity: number,
  ) {
    this.planes = Array.from({ length: channels }, () => new Float32Array(capacity));
  }

  /** Makes room for frames up to stream frame `end`, zero-filled. */
  ensure(end: number): void {
    const needed = end - this.base;
    if (needed <= this.length) return;
    if (needed > (this.planes[0] as Float32Array).length) {
      const capacity = Math.max(needed, 2 * (this.planes[0] as Float32Array).length);
      this.planes = this.planes.map((plane) => {
        const grown = new Float32Array(capacity);
        grown.set(plane.subarray(0, this.length));
        return grown;
      });
    }
    for (const plane of this.planes) plane.fill(0, this.length, needed);
    this.length = needed;
  }

  /** Forgets frames before stream frame `frame`. */
  drop(frame: number): void {
    const count = Math.min(frame - this.base, this.length);
    if (count <= 0) return;
    for (const plane of this.planes) plane.copyWithin(0, count, this.length);
    this.base += count;
    this.length -= count;
  }

  /** Copies stream frames [start, end) into `target` at `at`; frames outside the buffer read as zero. */
  read(channel: number, start: number, end: number, target: Float32Array, at: number): void {
    const from = Math.max(start, this.base);
    const to = Math.min(end, this.base + this.length);
    if (to > from) target.set((this.planes[channel] as Float32Array).subarray(from - this.base, to - this.base), at + from - start);
  }
}

/**
 * demucs' overlap-add (`apply_model` with `split=True`), made incremental:
 * segments start every `stride = ⌊(1 − overlap) · segment⌋` frames
 * (demucs/apply.py: `stride = int((1 - overlap) * segment_length)`,
 * `offsets = range(0, length, stride)`); each segment of length L (the
 * configured S, or less at the end) is cut as `TensorChunk.padded` cuts it:
 * centred in a span of S frames with the real audio around it and zeros
 * past the ends of the stream (`start = offset - delta // 2`). With S equal
 * to the model window W that span is the window (`valid_length` is the
 * training length); with S shorter (apply_model's `segment` for HTDemucs:
 * `valid_length = int(segment * model.samplerate)`), the span fills the
 * window's first S frames and the rest is zeros, as `HTDemucs.forward` pads
 * (`F.pad(mix, (0, training_length - length_pre_pad))`) and trims its
 * output back to S. The output is centre-trimmed to the segment
 * (`center_trim(out, length)`), weighted by the transition weights and
 * summed; the sum is divided by the summed weights. Frames before the next
 * segment's start are final as soon as the segments before it are in, so
 * the delay is one segment, and memory is a few windows whatever the length.
 */
export class OverlapAdd {
  readonly stride: number;
  private readonly weights: Float32Array;
  private readonly input: FrameBuffer;
  private readonly sums: Map<string, FrameBuffer>;
  private readonly weightSum: FrameBuffer;
  /** Stream frames received. */
  private received = 0;
  /** True once the stream has ended. */
  private ended = false;
  /** Offset of the next segment to hand out. */
  private nextOffset = 0;
  /** Offset of the next segment whose result is expected by `add`. */
  private nextResult = 0;
  /** Frames already handed out by `take`. */
  private emitted = 0;
  /** Running statistics, fed up to each window's end before the window is handed out. */
  private readonly running: RunningStats | undefined;
  private statsFrames = 0;
  /** No overlap: UVR weights every frame 1. */
  private readonly flat: boolean;

  constructor(
    readonly channels: number,
    readonly stems: readonly string[],
    readonly segmentFrames: number,
    readonly windowFrames: number,
    overlap: number,
    transitionPower: number,
    trackStats = false,
    private readonly chunking: Chunking = { kind: 'demucs' },
  ) {
    this.running = trackStats ? new RunningStats() : undefined;
    this.stride = OverlapAdd.stride(segmentFrames, windowFrames, overlap, transitionPower);
    this.flat = overlap === 0;
    // UVR's chunks start `trim` frames before the track (its zero padding), and contribute from their first frame.
    if (chunking.kind === 'uvr') {
      this.nextOffset = -chunking.trim;
      this.nextResult = -chunking.trim;
    }
    this.weights = transitionWeights(segmentFrames, transitionPower);
    this.input = new FrameBuffer(channels, 2 * windowFrames);
    this.sums = new Map(stems.map((stem) => [stem, new FrameBuffer(channels, 2 * segmentFrames)]));
    this.weightSum = new FrameBuffer(1, 2 * segmentFrames);
  }

  /**
   * Checks the options (`E_INVALID_ARGUMENT`) and returns the stride between
   * segments, ⌊(1 − overlap) · segment⌋, without allocating anything.
   */
  static stride(segmentFrames: number, windowFrames: number, overlap: number, transitionPower: number): number {
    if (!(overlap >= 0 && overlap < 1)) throw new SluiceError('E_INVALID_ARGUMENT', `overlap must be in [0, 1), got ${overlap}`);
    if (!(transitionPower > 0)) throw new SluiceError('E_INVALID_ARGUMENT', `transitionPower must be > 0, got ${transitionPower}`);
    if (!Number.isInteger(segmentFrames) || segmentFrames < 2 || segmentFrames > windowFrames) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `segment of ${segmentFrames} frames must be an integer in [2, ${windowFrames}] (the model window)`,
      );
    }
    const stride = Math.floor((1 - overlap) * segmentFrames);
    if (stride < 1) throw new SluiceError('E_INVALID_ARGUMENT', `overlap ${overlap} leaves no stride for ${segmentFrames} frames`);
    return stride;
  }

  /** Appends input frames. */
  push(planes: readonly Float32Array[]): void {
    if (this.ended) throw new SluiceError('E_CLOSED', 'OverlapAdd: push after end()');
    const frames = planes[0]?.length ?? 0;
    const start = this.received;
    this.input.ensure(start + frames);
    for (let c = 0; c < this.channels; c++) {
      (this.input.planes[c] as Float32Array).set(planes[c] as Float32Array, start - this.input.base);
    }
    this.received += frames;
  }

  /** Marks the end of the stream: the remaining segments become available, shortened and zero-padded as demucs does. */
  end(): void {
    this.ended = true;
  }

  /** Frames received so far. */
  get receivedFrames(): number {
    return this.received;
  }

  /** The stream frames a segment's span covers: S frames centred on the segment (TensorChunk.padded); UVR: from its offset. */
  private windowSpan(offset: number, length: number): { start: number; end: number } {
    const start = this.chunking.kind === 'uvr' ? offset : offset - Math.floor((this.segmentFrames - length) / 2);
    return { start, end: start + this.segmentFrames };
  }

  /**
   * Frames a segment contributes. demucs: the segment, shorter at the end.
   * UVR: `end = min(i + chunk_size, mixture.shape[-1])` in the padded
   * mixture, which is `trim + length + pad` long with `pad = gen_size + trim
   * - length % gen_size`, `gen_size = chunk_size - 2 * trim`.
   */
  private contribution(offset: number): number {
    if (!this.ended) return this.segmentFrames;
    if (this.chunking.kind === 'demucs') return Math.min(this.segmentFrames, this.received - offset);
    const { trim } = this.chunking;
    const generated = this.segmentFrames - 2 * trim;
    const mixture = trim + this.received + (generated + trim - (this.received % generated));
    const start = offset + trim;
    return Math.min(start + this.segmentFrames, mixture) - start;
  }

  /** The next segment whose input is all there, or undefined. Segments come out in order. */
  nextSegment(): SegmentJob | undefined {
    const offset = this.nextOffset;
    if (this.ended && offset >= this.received) return undefined;
    const length = this.contribution(offset);
    const { start, end } = this.windowSpan(offset, length);
    if (!this.ended && end > this.received) return undefined;
    // One buffer for all channels: the worker feeds it to the model as [1, C, T] without restacking.
    // The span goes at the window's start; past it (segments shorter than the window) stays zero.
    const buffer = new Float32Array(this.channels * this.windowFrames);
    const window = Array.from({ length: this.channels }, (_, c) => {
      const plane = buffer.subarray(c * this.windowFrames, (c + 1) * this.windowFrames);
      this.input.read(c, start, Math.min(end, this.received), plane, 0);
      return plane;
    });
    const audioFrom = Math.max(0, -start);
    const audioTo = Math.max(audioFrom, Math.min(end, this.received) - start);
    const stats = this.advanceStats(Math.min(end, this.received));
    this.nextOffset += this.stride;
    // Keep what later windows (possibly shortened ones, centred further back) and the output mix still need.
    this.input.drop(Math.min(this.emitted, this.nextOffset - Math.ceil(this.segmentFrames / 2)));
    const job: SegmentJob = { offset, length, window, audioFrom, audioTo };
    if (stats !== undefined) job.stats = stats;
    return job;
  }

  /** Feeds the running statistics up to stream frame `end` (exclusive) and returns them. */
  private advanceStats(end: number): { mean: number; std: number } | undefined {
    if (this.running === undefined) return undefined;
    if (end > this.statsFrames) {
      const from = this.statsFrames - this.input.base;
      this.running.add(this.input.planes, from, end - this.input.base);
      this.statsFrames = end;
    }
    return this.running.stats;
  }

  /**
   * Adds the model output for a segment (results must come in segment
   * order). `scale` and `offset` undo the input normalisation on the way
   * (y · scale + offset), saving a pass over the stems.
   */
  add(job: SegmentJob, stems: StemPlanes, scale = 1, offset = 0): void {
    if (job.offset !== this.nextResult)
      throw new SluiceError('E_INTERNAL', `OverlapAdd: result for ${job.offset}, expected ${this.nextResult}`);
    const uvr = this.chunking.kind === 'uvr';
    // demucs: center_trim(out, length) of the span's output (the model's output past the span is the padding's).
    // UVR: the chunk's output from its first frame, weighted by np.hanning of the frames it contributes.
    const trim = uvr ? 0 : Math.floor((this.segmentFrames - job.length) / 2);
    // UVR without overlap: `divider += 1`, no window.
    const weights = uvr ? (this.flat ? ones(job.length) : numpyHanning(job.length)) : this.weights;
    // Frames before the stream (UVR's leading zeros) are cut off, as UVR cuts `[:, :, trim:]`.
    const skip = Math.max(0, -job.offset);
    const from = job.offset + skip;
    const length = Math.max(0, job.length - skip);
    const end = from + length;
    this.weightSum.ensure(end);
    const weightSum = this.weightSum.planes[0] as Float32Array;
    const at = from - this.weightSum.base;
    for (let i = 0; i < length; i++) weightSum[at + i] = (weightSum[at + i] as number) + (weights[skip + i] as number);
    for (const name of this.stems) {
      const out = stems[name];
      if (out === undefined) throw new SluiceError('E_MODEL', `the model returned no stem "${name}"`);
      const sum = this.sums.get(name) as FrameBuffer;
      sum.ensure(end);
      const base = from - sum.base;
      const contributed = weights.subarray(skip, skip + length);
      for (let c = 0; c < this.channels; c++) {
        const source = (out[c] as Float32Array).subarray(trim + skip, trim + skip + length);
        accumulate(sum.planes[c] as Float32Array, base, source, contributed, scale, offset);
      }
    }
    this.nextResult += this.stride;
  }

  /** True when every segment has been handed out and added. */
  get done(): boolean {
    return this.ended && this.nextResult >= this.received && this.nextOffset >= this.received;
  }

  /** The frames that are final now (none when nothing new is), as copies. */
  take(): OverlapAddOutput | undefined {
    const finalUntil = this.done ? this.received : Math.min(this.nextResult, this.received);
    const start = this.emitted;
    if (finalUntil <= start) return undefined;
    const frames = finalUntil - start;
    const weightSum = (this.weightSum.planes[0] as Float32Array).subarray(start - this.weightSum.base, finalUntil - this.weightSum.base);
    // One reciprocal per frame, shared by every stem and channel: a multiply per sample instead of a divide.
    const inverse = new Float32Array(frames);
    for (let i = 0; i < frames; i++) inverse[i] = 1 / (weightSum[i] as number);
    const stems: StemPlanes = {};
    for (const name of this.stems) {
      const sum = this.sums.get(name) as FrameBuffer;
      stems[name] = sum.planes.map((plane) => scaled(plane.subarray(start - sum.base, finalUntil - sum.base), inverse));
      sum.drop(finalUntil);
    }
    const mix = Array.from({ length: this.channels }, (_, c) => {
      const plane = new Float32Array(frames);
      this.input.read(c, start, finalUntil, plane, 0);
      return plane;
    });
    this.weightSum.drop(finalUntil);
    this.emitted = finalUntil;
    this.input.drop(Math.min(this.emitted, this.nextOffset - Math.ceil(this.segmentFrames / 2)));
    return { startFrame: start, mix, stems };
  }
}

/** target[base + i] += weights[i] · (source[i] · scale + offset): one monomorphic loop for the hot path. */
function accumulate(target: Float32Array, base: number, source: Float32Array, weights: Float32Array, scale: number, offset: number): void {
  const length = source.length;
  if (scale === 1 && offset === 0) {
    // No normalisation to undo (the DSP separator, MDX-Net, 'none'): one multiply-add per sample.
    const view = target.subarray(base, base + length);
    for (let i = 0; i < length; i++) view[i] = (view[i] as number) + (weights[i] as number) * (source[i] as number);
    return;
  }
  for (let i = 0; i < length; i++) {
    target[base + i] = (target[base + i] as number) + (weights[i] as number) * ((source[i] as number) * scale + offset);
  }
}

/** values[i] · factors[i], as a new array. */
function scaled(values: Float32Array, factors: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = (values[i] as number) * (factors[i] as number);
  return out;
}
