import {
  type AudioChunk,
  type AudioFormat,
  type ChunkMeta,
  type Processor,
  ResampleProcessor,
  SluiceError,
  createAudioChunk,
  downmixToMono,
} from '@sluice/core';
import type { SeparationModel, StemPlanes } from '../model/types';
import { type Normalization, checkNormalization, denormalization, normalizeWindow } from './normalization';
import { OverlapAdd, type OverlapAddOutput, type SegmentJob } from './overlap-add';

/** Options for {@link SeparationProcessor}. */
export interface SeparationProcessorOptions {
  /**
   * Segment length in seconds (default: the model's window, 7.8 s for
   * HTDemucs). A shorter segment is fed as demucs' `apply_model(segment=…)`
   * feeds HTDemucs: the segment's audio at the start of the window, zeros
   * after it (the model pads to its training length), less latency.
   */
  segmentSeconds?: number;
  /** Fraction of a segment shared with the next (default 0.25, demucs' default). */
  overlap?: number;
  /** Exponent of the triangular transition weights (default 1: linear cross-fades). */
  transitionPower?: number;
  /** Input normalisation (default `'running'`; see {@link Normalization}). */
  normalize?: Normalization;
  /** Windows sent to the model before waiting for the oldest result (default 2), so decoding overlaps inference. */
  maxInFlight?: number;
  /** Input at another sample rate: `'auto'` resamples to the model's rate (with a note), `'error'` throws `E_FORMAT` (default `'auto'`). */
  resample?: 'auto' | 'error';
  /** Receives notes about adaptations (resampling, mono duplicated to stereo). */
  onNote?: (note: string) => void;
  /** Close the model when the pipeline closes this processor (default false: the caller owns the model). */
  closeModel?: boolean;
}

interface InFlight {
  job: SegmentJob;
  stats: { mean: number; std: number } | undefined;
  result: Promise<StemPlanes>;
  settled: boolean;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Streaming source separation: demucs' overlap-add over any
 * {@link SeparationModel}, emitting chunks whose `stems` carry the
 * separated sources as soon as each stretch of output is final.
 *
 * Output chunks carry the input mix in `planes` and one plane set per stem
 * in `stems`, at the model's sample rate and the input's channel count
 * (mono input is duplicated for the model and the stems averaged back).
 * The output lags the input by `latencyFrames` (one segment);
 * the time to the first output is that much audio plus one inference.
 * Memory is a few windows, whatever the length of the stream.
 */
export class SeparationProcessor implements Processor {
  readonly name: string;
  private readonly options: Required<Omit<SeparationProcessorOptions, 'segmentSeconds' | 'onNote'>> & SeparationProcessorOptions;
  private engine: OverlapAdd | undefined;
  private output: AudioFormat | undefined;
  private resampler: ResampleProcessor | undefined;
  private queue: InFlight[] = [];
  private meta: ChunkMeta | undefined;

  constructor(
    readonly model: SeparationModel,
    options: SeparationProcessorOptions = {},
  ) {
    this.name = `separation(${model.name})`;
    this.options = {
      overlap: 0.25,
      transitionPower: 1,
      // Normalisation is for trained models: a separator that declares it takes raw audio (the DSP one) gets none.
      normalize: model.normalizedInput === false ? 'none' : 'running',
      maxInFlight: 2,
      resample: 'auto',
      closeModel: false,
      ...options,
    };
    checkNormalization(this.options.normalize);
    if (!Number.isInteger(this.options.maxInFlight) || this.options.maxInFlight < 1) {
      throw new SluiceError('E_INVALID_ARGUMENT', `maxInFlight must be a positive integer, got ${this.options.maxInFlight}`);
    }
    // Validates overlap, transition power and segment length up front (the buffers come at open()).
    OverlapAdd.stride(this.segmentFrames, model.segmentFrames, this.options.overlap, this.options.transitionPower);
  }

  /** Segment length in frames at the model's rate. */
  get segmentFrames(): number {
    const seconds = this.options.segmentSeconds;
    return seconds === undefined ? this.model.segmentFrames : Math.round(seconds * this.model.sampleRate);
  }

  /** Frames (at the model's rate) an input frame waits before its output is final: one segment (a segment's span reads no further). */
  get latencyFrames(): number {
    return this.segmentFrames + (this.resampler?.latencyFrames ?? 0);
  }

  private createEngine(): OverlapAdd {
    return new OverlapAdd(
      this.model.channels,
      this.model.stems,
      this.segmentFrames,
      this.model.segmentFrames,
      this.options.overlap,
      this.options.transitionPower,
      this.options.normalize === 'running',
      this.model.chunking,
    );
  }

  open(input: AudioFormat): AudioFormat {
    if (input.channels !== 1 && input.channels !== this.model.channels) {
      throw new SluiceError(
        'E_FORMAT',
        `${this.name}: the model takes ${this.model.channels} channels (or mono, duplicated); the input has ${input.channels}; remix it first`,
      );
    }
    const notes: string[] = [];
    if (input.sampleRate !== this.model.sampleRate) {
      if (this.options.resample === 'error') {
        throw new SluiceError(
          'E_FORMAT',
          `${this.name}: the model works at ${this.model.sampleRate} Hz, the input is ${input.sampleRate} Hz (resample: 'error'); resample the input or allow resample: 'auto'`,
        );
      }
      this.resampler = new ResampleProcessor({ targetRate: this.model.sampleRate });
      this.resampler.open(input);
      notes.push(`resampled from ${input.sampleRate} Hz to the model's ${this.model.sampleRate} Hz`);
    }
    if (input.channels === 1 && this.model.channels === 2)
      notes.push('mono input duplicated to stereo for the model; stems averaged back to mono');
    for (const note of notes) this.options.onNote?.(`${this.name}: ${note}`);
    this.meta = notes.length > 0 ? { separationNotes: notes } : undefined;
    this.output = { sampleRate: this.model.sampleRate, channels: input.channels };
    this.reset();
    return this.output;
  }

  reset(): void {
    this.engine = this.createEngine();
    this.resampler?.reset();
    // Results still on their way belong to the old stream: let them settle unobserved.
    this.queue = [];
  }

  async process(chunk: AudioChunk): Promise<AudioChunk[]> {
    const planes = this.prepare(chunk);
    if (planes !== undefined) this.requireEngine().push(planes);
    this.submitReady();
    return this.collect(false);
  }

  async flush(): Promise<AudioChunk[]> {
    const engine = this.requireEngine();
    const tail = this.resampler?.flush();
    if (tail) engine.push(this.toModelChannels(tail.planes));
    engine.end();
    this.submitReady();
    return this.collect(true);
  }

  async close(): Promise<void> {
    this.queue = [];
    if (this.options.closeModel) await this.model.close();
  }

  private requireEngine(): OverlapAdd {
    if (this.engine === undefined || this.output === undefined) {
      throw new SluiceError('E_INVALID_ARGUMENT', `${this.name}: open(format) must be called before process() (a Pipeline does this)`);
    }
    return this.engine;
  }

  /** Resamples and duplicates mono as needed; undefined while the resampler is still filling. */
  private prepare(chunk: AudioChunk): Float32Array[] | undefined {
    if (this.resampler === undefined) return this.toModelChannels(chunk.planes);
    const resampled = this.resampler.process(chunk);
    return resampled ? this.toModelChannels(resampled.planes) : undefined;
  }

  private toModelChannels(planes: readonly Float32Array[]): Float32Array[] {
    if (planes.length === this.model.channels) return planes as Float32Array[];
    return Array.from({ length: this.model.channels }, () => planes[0] as Float32Array);
  }

  /** Sends every window whose input is complete to the model. */
  private submitReady(): void {
    const engine = this.requireEngine();
    for (let job = engine.nextSegment(); job !== undefined; job = engine.nextSegment()) {
      const normalize = this.options.normalize;
      const stats = normalize === 'none' ? undefined : normalize === 'running' ? job.stats : normalize;
      // The window is fresh: normalised in place, then handed (and possibly transferred) to the model.
      if (stats !== undefined) normalizeWindow(job.window, stats, job.audioFrom, job.audioTo);
      const entry: InFlight = { job, stats, result: this.model.infer(job.window), settled: false };
      // Marks the promise handled too, so a failure surfaces when its turn comes, not as an unhandled rejection.
      entry.result.then(
        () => {
          entry.settled = true;
        },
        () => {
          entry.settled = true;
        },
      );
      this.queue.push(entry);
    }
  }

  /** Adds finished results in order and returns the chunks that became final; `all` waits for everything. */
  private async collect(all: boolean): Promise<AudioChunk[]> {
    const engine = this.requireEngine();
    const out: AudioChunk[] = [];
    const queue = this.queue;
    while (queue.length > 0 && (all || queue.length > this.options.maxInFlight || (queue[0] as InFlight).settled)) {
      const entry = queue.shift() as InFlight;
      const stems = await entry.result;
      if (queue !== this.queue) return out;
      const { scale, offset } = denormalization(entry.stats);
      // A window's overlap-add and hand-out are tens of milliseconds each for long windows: the event loop gets a
      // turn between them (a server separating stays responsive).
      await yieldToEventLoop();
      engine.add(entry.job, stems, scale, offset);
      await yieldToEventLoop();
      const ready = engine.take();
      if (ready) out.push(...this.toChunks(ready));
    }
    if (all) {
      const rest = engine.take();
      if (rest) out.push(...this.toChunks(rest));
    }
    return out;
  }

  /**
   * The frames that became final, as chunks of at most one second: a window's worth (ten seconds for the DSP
   * separator) handed to a sink at once is one long stretch of encoding with no turn of the event loop between.
   */
  private toChunks(ready: OverlapAddOutput): AudioChunk[] {
    const format = this.output as AudioFormat;
    const mono = format.channels === 1 && this.model.channels > 1;
    const toOutput = (planes: Float32Array[]): Float32Array[] => (mono ? [downmixToMono(planes)] : planes);
    const mix = toOutput(ready.mix);
    const stems = Object.entries(ready.stems).map(([name, planes]) => [name, toOutput(planes)] as const);
    const length = mix[0]?.length ?? 0;
    const chunks: AudioChunk[] = [];
    for (let at = 0; at < length; at += format.sampleRate) {
      const end = Math.min(length, at + format.sampleRate);
      const cut = (planes: Float32Array[]) => planes.map((plane) => plane.subarray(at, end));
      chunks.push(
        createAudioChunk({
          format,
          planes: cut(mix),
          stems: Object.fromEntries(stems.map(([name, planes]) => [name, cut(planes)])),
          startFrame: ready.startFrame + at,
          ...(this.meta === undefined ? {} : { meta: this.meta }),
        }),
      );
    }
    return chunks;
  }
}
