import { EventEmitter } from 'node:events';
import {
  type Engine,
  type PollyClient,
  StartSpeechSynthesisStreamCommand,
  type StartSpeechSynthesisStreamActionStream,
  type VoiceId,
} from '@aws-sdk/client-polly';
import { type AudioChunk, type AudioFormat, ChunkStamper, SluiceError, abortError } from '@sluice/core';
import type { SpeechStats, SpeechStream } from '@sluice/tts';
import { PcmPieces } from './pcm';
import { pollyError } from './errors';

/** Options for {@link PollyEngine.startStream}. */
export interface PollyDuplexOptions {
  /** Voice (default: the engine's). */
  voice?: string;
  /** Polly engine (default `generative`, the one this API is for). */
  engine?: 'standard' | 'neural' | 'long-form' | 'generative';
  language?: string;
  /** Ask Polly to send the audio it holds whenever fed text ends a sentence (default true). */
  flushAtSentenceEnd?: boolean;
  /** Largest chunk in frames (default 2048). */
  chunkFrames?: number;
  signal?: AbortSignal;
}

/** What {@link PollyDuplexStream.waitUntilDone} reports. */
export interface PollyDuplexStats extends SpeechStats {
  /** Characters Polly billed, from its StreamClosedEvent. */
  requestCharacters: number;
}

type Action = StartSpeechSynthesisStreamActionStream;

/**
 * Polly's bidirectional `StartSpeechSynthesisStream` over one HTTP/2
 * connection: `feed()` sends text events as the text comes, audio events
 * come back as Polly makes them, `done()` closes the input. A
 * {@link SpeechStream}, as `TtsStream` is, without per-segment requests;
 * Polly gives no word timings on this API.
 */
export class PollyDuplexStream
  extends EventEmitter<{ error: [SluiceError]; done: [PollyDuplexStats] }>
  implements SpeechStream<PollyDuplexStats>
{
  readonly name = 'polly-duplex';
  readonly format: AudioFormat;
  private readonly controller = new AbortController();
  private readonly actions: Action[] = [];
  private actionsEnded = false;
  /** close() was called: iteration ends at the next step, without an error. */
  private closedByCaller = false;
  /** waitUntilDone() has its answer (and `done` or `error` was emitted): once only. */
  private settled = false;
  private wakeActions: (() => void) | undefined;
  private started = 0;
  private firstAudioMs = Number.NaN;
  private frames = 0;
  private requestCharacters = 0;
  private characters = 0;
  private fed = false;
  private iterating = false;
  private settle!: { resolve(stats: PollyDuplexStats): void; reject(error: unknown): void };
  private readonly finished = new Promise<PollyDuplexStats>((resolve, reject) => {
    this.settle = { resolve, reject };
  });

  constructor(
    private readonly client: PollyClient,
    sampleRate: number,
    private readonly voice: string,
    private readonly options: PollyDuplexOptions,
  ) {
    super();
    this.format = { sampleRate, channels: 1 };
    this.finished.catch(() => undefined);
    // An abort settles the stream at once, as close() does: a consumer that stopped pulling still gets its answer.
    const signal = options.signal;
    if (signal !== undefined) {
      const onAbort = () => {
        this.controller.abort(signal.reason);
        this.fail(abortError(signal, 'speech stream'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // Forgotten once the stream has ended: a long-lived signal would otherwise keep every stream it saw.
      const forget = () => signal.removeEventListener('abort', onAbort);
      this.finished.then(forget, forget);
    }
  }

  /**
   * Sends text; with `flushAtSentenceEnd`, text ending a sentence asks Polly for its audio at once. Always
   * returns true: the connection has no audio buffer to bound (Polly's pace is the reader's).
   */
  feed(text: string): boolean {
    if (this.actionsEnded) throw new SluiceError('E_CLOSED', 'PollyDuplexStream: feed() after done() or close()');
    if (text.length === 0) return true;
    if (this.started === 0) this.started = performance.now();
    this.fed = true;
    this.characters += text.length;
    const flush = (this.options.flushAtSentenceEnd ?? true) && /[.!?…]["'”’)]*\s*$/.test(text);
    this.push({ TextEvent: { Text: text, ...(flush ? { FlushStreamConfiguration: { Force: true } } : {}) } });
    return true;
  }

  /** No more text: Polly finishes the audio and closes the stream. */
  done(): void {
    if (this.actionsEnded) return;
    if (this.started === 0) this.started = performance.now();
    this.push({ CloseStreamEvent: {} });
    this.actionsEnded = true;
  }

  waitUntilDone(): Promise<PollyDuplexStats> {
    return this.finished;
  }

  /** Stops at once: the connection is cancelled, chunks already cut are dropped, and iteration ends. Idempotent. */
  async close(): Promise<void> {
    this.closedByCaller = true;
    this.actionsEnded = true;
    this.controller.abort();
    this.wakeActions?.();
    this.succeed();
  }

  /** What was handed out so far, and how fast. */
  private stats(): PollyDuplexStats {
    const audioSeconds = this.frames / this.format.sampleRate;
    const processingSeconds = this.fed ? (performance.now() - this.started) / 1000 : 0;
    return {
      requestCharacters: this.requestCharacters,
      characters: this.characters,
      audioSeconds,
      firstAudioSeconds: this.firstAudioMs / 1000,
      processingSeconds,
      speed: processingSeconds > 0 ? audioSeconds / processingSeconds : 0,
    };
  }

  /** Ends with the stats: the stream finished, or the caller closed it. */
  private succeed(): void {
    if (this.settled) return;
    this.settled = true;
    const stats = this.stats();
    this.emit('done', stats);
    this.settle.resolve(stats);
  }

  private fail(error: SluiceError): void {
    if (this.settled) return;
    this.settled = true;
    if (this.listenerCount('error') > 0) this.emit('error', error);
    this.settle.reject(error);
  }

  private push(action: Action): void {
    this.actions.push(action);
    const wake = this.wakeActions;
    this.wakeActions = undefined;
    wake?.();
  }

  private async *actionStream(): AsyncGenerator<Action> {
    for (;;) {
      const action = this.actions.shift();
      if (action !== undefined) {
        yield action;
        if (action.CloseStreamEvent !== undefined) return;
        continue;
      }
      if (this.controller.signal.aborted) return;
      await new Promise<void>((resolve) => {
        this.wakeActions = resolve;
      });
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    if (this.iterating) throw new SluiceError('E_INVALID_ARGUMENT', 'PollyDuplexStream: a stream can be iterated once');
    this.iterating = true;
    const size = this.options.chunkFrames ?? 2048;
    const pcm = new PcmPieces();
    const stamper = new ChunkStamper(this.format);
    try {
      if (this.closedByCaller) {
        this.succeed();
        return;
      }
      const out = await this.client.send(
        new StartSpeechSynthesisStreamCommand({
          Engine: (this.options.engine ?? 'generative') as Engine,
          OutputFormat: 'pcm',
          SampleRate: String(this.format.sampleRate),
          VoiceId: this.voice as VoiceId,
          ...(this.options.language === undefined ? {} : { LanguageCode: this.options.language as never }),
          ActionStream: this.actionStream(),
        }),
        { abortSignal: this.controller.signal },
      );
      for await (const event of out.EventStream ?? []) {
        if (this.closedByCaller) break;
        const failure =
          event.ThrottlingException ?? event.ServiceFailureException ?? event.ServiceQuotaExceededException ?? event.ValidationException;
        if (failure !== undefined) throw failure;
        if (event.StreamClosedEvent !== undefined) this.requestCharacters = event.StreamClosedEvent.RequestCharacters ?? 0;
        const bytes = event.AudioEvent?.AudioChunk;
        if (bytes === undefined || bytes.length === 0) continue;
        if (Number.isNaN(this.firstAudioMs)) this.firstAudioMs = performance.now() - this.started;
        const samples = pcm.push(bytes);
        // One audio event is cut into many chunks: after close(), the rest of them are dropped.
        for (let at = 0; at < samples.length && !this.closedByCaller; at += size) {
          const chunk = stamper.stamp([samples.subarray(at, Math.min(samples.length, at + size))]);
          this.frames += chunk.frames;
          yield chunk;
        }
        if (this.closedByCaller) break;
      }
      this.succeed();
    } catch (caught) {
      // The cancelled connection failing is how close() ends a pull that was waiting on Polly: not an error.
      if (this.closedByCaller && !this.options.signal?.aborted) {
        this.succeed();
        return;
      }
      const error = this.controller.signal.aborted
        ? abortError(this.options.signal, 'speech stream')
        : SluiceError.isInstance(caught)
          ? caught
          : pollyError(caught, { start: 0, end: 0 }, 1);
      this.fail(error);
      throw error;
    } finally {
      this.actionsEnded = true;
      this.wakeActions?.();
    }
  }
}
