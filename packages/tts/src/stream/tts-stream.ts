import { EventEmitter } from 'node:events';
import {
  type AudioChunk,
  type AudioFormat,
  ResampleProcessor,
  SluiceError,
  abortError,
  allocatePlanes,
  createAudioChunk,
} from '@sluice/core';
import type { SynthesizeOptions, TtsEngine, WordMark } from '../engine/types';
import { type TextSegment, segmentText } from '../segmenter/segment-text';
import { type AudioBudget, SegmentJob } from './segment-job';
import { type SpeechStats, type SpeechStream, speechTimes } from './speech-stream';

/** Options for {@link TtsStream}, like tts-wrapper's stream configuration. */
export interface TtsStreamOptions extends SynthesizeOptions {
  /** The engine that speaks. */
  engine: TtsEngine;
  /** Output sample rate (default: the engine's); other rates are resampled continuously, without seams between segments. */
  sampleRate?: number;
  /** Output channels, 1 or 2 (the voice is duplicated; default 1). */
  channels?: number;
  /** Largest chunk in frames (default 2048). */
  chunkFrames?: number;
  /** Most audio held ahead of the consumer, in seconds (default 30): synthesis pauses beyond it. */
  bufferSeconds?: number;
  /** `bufferFull()` is true when the held audio reaches this fraction of `bufferSeconds` (default 0.75, as tts-wrapper's `buffer_threshold`). */
  bufferThreshold?: number;
  /** Largest text segment in billed characters (default: the engine's limit). */
  maxSegmentChars?: number;
  /** Segments synthesized ahead of the one being consumed (default 1). */
  prefetch?: number;
  /** Cancels everything (`E_ABORTED`). */
  signal?: AbortSignal;
}

/** A `word` event: where the word is in the fed text and when it is spoken on the stream's timeline. */
export interface WordEvent {
  text: string;
  /** Offset in all the text fed so far (UTF-16 code units). */
  start: number;
  end: number;
  /** Seconds from the start of the stream's audio. */
  startSeconds: number;
  endSeconds: number;
  /** True when the engine gave no event for this word and its time was interpolated. */
  estimated?: boolean;
}

/** A `chunk` event: which text an output chunk speaks. */
export interface ChunkEvent {
  /** Index of the text segment (0, 1, …). */
  index: number;
  /** The segment's span in the fed text. */
  start: number;
  end: number;
  text: string;
  /** Seconds of audio in the chunk, and where it starts on the timeline. */
  seconds: number;
  startSeconds: number;
}

/** What {@link TtsStream.waitUntilDone} reports. */
export interface TtsStats extends SpeechStats {
  /** Segments synthesized (one engine request each). */
  segments: number;
  /** False when the engine could not give word timings (and why, in `timingsNote`). */
  wordTimings: boolean;
  timingsNote?: string;
}

/** Events of {@link TtsStream}. */
export interface TtsStreamEvents {
  chunk: [event: ChunkEvent];
  word: [event: WordEvent];
  error: [error: SluiceError];
  /** The held audio fell below the threshold: feeding may resume. */
  drain: [];
  done: [stats: TtsStats];
}

/**
 * Streaming text-to-speech: `feed()` text as it comes, `done()` at the
 * end, and iterate AudioChunks (or hand the stream to a Pipeline as its
 * Source) while the rest is still being synthesized. Text is cut into
 * sentences and packed up to the engine's limit; the next segment is
 * synthesized while the current one plays (`prefetch`); order is kept, and
 * a failed segment fails the stream with a typed error naming its text:
 * nothing is dropped silently.
 */
export class TtsStream extends EventEmitter<TtsStreamEvents> implements SpeechStream<TtsStats> {
  readonly name: string;
  readonly format: AudioFormat;
  private readonly engine: TtsEngine;
  private readonly options: TtsStreamOptions;
  private readonly controller = new AbortController();
  private readonly budget: AudioBudget;
  private readonly thresholdFrames: number;
  private text = '';
  private segmentedUntil = 0;
  private ended = false;
  private closed = false;
  private segmentsMade = 0;
  private jobsStarted = 0;
  private readonly queue: TextSegment[] = [];
  private readonly jobs: SegmentJob[] = [];
  private resampler: ResampleProcessor | undefined;
  private wakeConsumer: (() => void) | undefined;
  private spaceWaiters: (() => void)[] = [];
  private iterating = false;
  private readonly pendingChunks: AudioChunk[] = [];
  private seq = 0;
  private outputFrames = 0;
  /** Engine-rate frames handed out before the current job's first frame. */
  private segmentStartFrames = 0;
  private consumedInJob = 0;
  private heldWord: { mark: WordMark; job: SegmentJob } | undefined;
  private lastJob: SegmentJob | undefined;
  private startedAt = 0;
  private firstAudioMs = Number.NaN;
  private timingsNote: string | undefined;
  private failure: SluiceError | undefined;
  private readonly finished: Promise<TtsStats>;
  private settle!: { resolve(stats: TtsStats): void; reject(error: unknown): void };

  constructor(options: TtsStreamOptions) {
    super();
    const { engine } = options;
    this.engine = engine;
    this.options = options;
    this.name = `tts(${engine.name})`;
    const channels = options.channels ?? 1;
    if (channels !== 1 && channels !== 2)
      throw new SluiceError('E_INVALID_ARGUMENT', `TtsStream: channels must be 1 or 2, got ${channels}`);
    for (const key of ['chunkFrames', 'bufferSeconds', 'bufferThreshold', 'maxSegmentChars', 'sampleRate'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0))
        throw new SluiceError('E_INVALID_ARGUMENT', `TtsStream: ${key} must be positive, got ${value}`);
    }
    if (options.prefetch !== undefined && !(Number.isInteger(options.prefetch) && options.prefetch >= 0)) {
      throw new SluiceError('E_INVALID_ARGUMENT', `TtsStream: prefetch must be a non-negative integer, got ${options.prefetch}`);
    }
    this.format = { sampleRate: options.sampleRate ?? engine.sampleRate, channels };
    if (this.format.sampleRate !== engine.sampleRate) {
      this.resampler = new ResampleProcessor({ targetRate: this.format.sampleRate });
      this.resampler.open({ sampleRate: engine.sampleRate, channels: 1 });
    }
    const limit = Math.round((options.bufferSeconds ?? 30) * engine.sampleRate);
    if (options.bufferThreshold !== undefined && options.bufferThreshold > 1) {
      throw new SluiceError('E_INVALID_ARGUMENT', `TtsStream: bufferThreshold is a fraction in (0, 1], got ${options.bufferThreshold}`);
    }
    this.thresholdFrames = Math.round((options.bufferThreshold ?? 0.75) * limit);
    this.budget = {
      held: 0,
      limit,
      space: () => new Promise<void>((resolve) => this.spaceWaiters.push(resolve)),
    };
    this.finished = new Promise<TtsStats>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.finished.catch(() => undefined);
    const signal = options.signal;
    if (signal !== undefined) {
      const onAbort = () => this.fail(abortError(signal, 'speech stream'));
      signal.addEventListener('abort', onAbort, { once: true });
      // Once the stream has ended, however it ended: a long-lived signal (one per server, say) would otherwise
      // keep a listener, and through it the stream, for every stream it was ever given.
      const forget = () => signal.removeEventListener('abort', onAbort);
      this.finished.then(forget, forget);
    }
  }

  /** Adds text. Returns false when enough audio is held that the caller should wait for `drain`. */
  feed(text: string): boolean {
    if (this.ended || this.closed) throw new SluiceError('E_CLOSED', `${this.name}: feed() after done() or close()`);
    if (typeof text !== 'string') throw new SluiceError('E_INVALID_ARGUMENT', `${this.name}: feed() takes a string`);
    if (this.startedAt === 0) this.startedAt = performance.now();
    this.text += text;
    // SSML is segmented as a whole document, at done().
    if (this.options.textType !== 'ssml') this.segment(false);
    return !this.bufferFull();
  }

  /** No more text: what is left is synthesized, and the stream ends after it. */
  done(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.startedAt === 0) this.startedAt = performance.now();
    this.segment(true);
    this.wake();
  }

  /** True when the held audio is at or above the threshold. */
  bufferFull(): boolean {
    return this.budget.held >= this.thresholdFrames;
  }

  /** Resolves with the stats when all audio has been handed out; rejects with the stream's error. */
  waitUntilDone(): Promise<TtsStats> {
    return this.finished;
  }

  /** Stops: pending requests are cancelled and iteration ends, even where audio was already cut into chunks. Idempotent. */
  async close(): Promise<void> {
    // One engine read can make several chunks: those not handed out yet are dropped, not returned after close().
    this.pendingChunks.length = 0;
    if (this.closed) return;
    this.closed = true;
    this.controller.abort();
    this.releaseSpace();
    for (const job of this.jobs) job.interrupt();
    this.wake();
    this.settle.resolve(this.stats());
  }

  /** Cuts the text fed so far into segments; the last sentence waits for more text unless `final`. */
  private segment(final: boolean): void {
    const tail = this.text.slice(this.segmentedUntil);
    if (tail.length === 0) return;
    const ssml = this.options.textType === 'ssml';
    let segments: TextSegment[];
    try {
      segments = segmentText(tail, {
        maxSegmentChars: this.options.maxSegmentChars ?? this.engine.maxSegmentChars,
        ssml,
        language: this.options.language ?? 'en',
        firstSentenceAlone: this.segmentsMade === 0,
      });
    } catch (error) {
      this.fail(SluiceError.wrap(error, 'E_TTS_INVALID_TEXT', `${this.name}: cannot segment the text`));
      return;
    }
    // Without more text to come, the last piece may still be a sentence in the making.
    const commit = final ? segments : segments.slice(0, -1);
    for (const segment of commit) {
      this.queue.push({ ...segment, start: segment.start + this.segmentedUntil, end: segment.end + this.segmentedUntil });
      this.segmentsMade++;
    }
    if (final) this.segmentedUntil = this.text.length;
    else if (commit.length > 0) this.segmentedUntil += (commit.at(-1) as TextSegment).end;
    this.startJobs();
  }

  /** Keeps `prefetch + 1` segments synthesizing. */
  private startJobs(): void {
    const depth = (this.options.prefetch ?? 1) + 1;
    while (!this.closed && this.jobs.length < depth && this.queue.length > 0) {
      const segment = this.queue.shift() as TextSegment;
      const index = this.jobsStarted++;
      const job: SegmentJob = new SegmentJob(
        index,
        segment,
        this.engine,
        { ...this.options, schedule: { stream: this, index } },
        this.budget,
        this.controller.signal,
        () => this.jobs[0] === job,
      );
      this.jobs.push(job);
      void job.run().then(() => this.wake());
    }
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  private releaseSpace(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private fail(error: SluiceError): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    this.controller.abort();
    this.releaseSpace();
    this.settle.reject(error);
    for (const job of this.jobs) job.interrupt();
    this.wake();
    // The consumer gets the error from its pull and from waitUntilDone(): 'error' is for whoever listens. Emitted
    // with no listener it would throw, from an abort signal's handler as an uncaught exception that ends the process.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  [Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    if (this.iterating) throw new SluiceError('E_INVALID_ARGUMENT', `${this.name}: a speech stream can be iterated once`);
    this.iterating = true;
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  private async next(): Promise<IteratorResult<AudioChunk>> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const ready = this.pendingChunks.shift();
      if (ready !== undefined) return { done: false, value: ready };
      if (this.closed) return { done: true, value: undefined };
      const job = this.jobs[0];
      if (job === undefined) {
        if (this.ended && this.queue.length === 0) {
          this.finishStream();
          continue;
        }
        await new Promise<void>((resolve) => {
          this.wakeConsumer = resolve;
        });
        continue;
      }
      const event = job.events.shift();
      if (event !== undefined) {
        this.consume(job, event);
        continue;
      }
      if (job.finished) {
        if (job.error !== undefined) {
          this.fail(job.error);
          continue;
        }
        this.endJob(job);
        continue;
      }
      await job.changed();
    }
  }

  private consume(job: SegmentJob, event: SegmentJob['events'][number]): void {
    if (event.type === 'timings') {
      this.timingsNote = event.reason;
      return;
    }
    if (event.type === 'word') {
      this.releaseWord(event.word.time);
      this.heldWord = { mark: event.word, job };
      return;
    }
    this.budget.held -= event.samples.length;
    job.held -= event.samples.length;
    if (this.budget.held < this.thresholdFrames) this.emit('drain');
    this.releaseSpace();
    if (Number.isNaN(this.firstAudioMs)) this.firstAudioMs = performance.now() - this.startedAt;
    const startSeconds = (this.segmentStartFrames + this.consumedInJob) / this.engine.sampleRate;
    this.consumedInJob += event.samples.length;
    this.pushAudio(event.samples, job, startSeconds, false);
  }

  /** Emits the held word now that its end is known (the next word's start, or the segment's end, in job seconds). */
  private releaseWord(endInJob: number): void {
    const held = this.heldWord;
    if (held === undefined) return;
    this.heldWord = undefined;
    const { mark, job } = held;
    const base = this.segmentStartFrames / this.engine.sampleRate;
    const offset = job.segment.start - job.segment.prefix;
    this.emit('word', {
      text: mark.text,
      start: offset + mark.start,
      end: offset + mark.end,
      startSeconds: base + mark.time,
      endSeconds: base + Math.max(mark.time, endInJob),
      ...(mark.estimated ? { estimated: true } : {}),
    });
  }

  private endJob(job: SegmentJob): void {
    this.releaseWord(job.frames / this.engine.sampleRate);
    this.jobs.shift();
    this.lastJob = job;
    this.segmentStartFrames += job.frames;
    this.consumedInJob = 0;
    this.startJobs();
    // A new job leads now: it may be waiting on the total and must re-check against its own backlog.
    this.releaseSpace();
  }

  /** Resamples (continuously across segments) and cuts into chunks of at most `chunkFrames`. */
  private pushAudio(samples: Float32Array, job: SegmentJob | undefined, startSeconds: number, final: boolean): void {
    let planes: readonly Float32Array[] = [samples];
    if (this.resampler !== undefined) {
      const input = createAudioChunk({ format: { sampleRate: this.engine.sampleRate, channels: 1 }, planes });
      const out = final ? this.resampler.flush() : this.resampler.process(input);
      if (out === null) return;
      planes = out.planes;
    }
    const mono = planes[0] as Float32Array;
    const size = this.options.chunkFrames ?? 2048;
    for (let at = 0; at < mono.length; at += size) {
      const piece = mono.slice(at, Math.min(mono.length, at + size));
      const chunkPlanes = this.format.channels === 2 ? [piece, piece.slice()] : [piece];
      const segment = job?.segment;
      const meta =
        segment === undefined
          ? undefined
          : { text: this.text.slice(segment.start, segment.end), start: segment.start, end: segment.end, segment: job?.index };
      const chunk = createAudioChunk({
        format: this.format,
        planes: chunkPlanes,
        seq: this.seq++,
        startFrame: this.outputFrames,
        ...(meta === undefined ? {} : { meta }),
      });
      this.outputFrames += piece.length;
      this.pendingChunks.push(chunk);
      if (segment !== undefined && job !== undefined) {
        this.emit('chunk', {
          index: job.index,
          start: segment.start,
          end: segment.end,
          text: meta?.text ?? '',
          seconds: piece.length / this.format.sampleRate,
          startSeconds: startSeconds + at / this.format.sampleRate,
        });
      }
    }
  }

  private finishStream(): void {
    if (this.resampler !== undefined) this.pushAudio(new Float32Array(0), this.lastJob, this.outputFrames / this.format.sampleRate, true);
    const last = this.pendingChunks.at(-1);
    if (last !== undefined) this.pendingChunks[this.pendingChunks.length - 1] = { ...last, final: true };
    // Everything was handed out already: end with an empty final chunk, as the contract allows.
    else if (this.seq > 0)
      this.pendingChunks.push(
        createAudioChunk({
          format: this.format,
          planes: allocatePlanes(this.format.channels, 0),
          seq: this.seq++,
          startFrame: this.outputFrames,
          final: true,
        }),
      );
    this.closed = true;
    const stats = this.stats();
    this.emit('done', stats);
    this.settle.resolve(stats);
  }

  private stats(): TtsStats {
    return {
      segments: this.segmentsMade,
      characters: this.text.length,
      audioSeconds: this.outputFrames / this.format.sampleRate,
      ...speechTimes(this.startedAt, this.firstAudioMs, this.outputFrames / this.format.sampleRate),
      wordTimings: this.timingsNote === undefined,
      ...(this.timingsNote === undefined ? {} : { timingsNote: this.timingsNote }),
    };
  }
}
