import type { Worker } from 'node:worker_threads';
import { SluiceError, type SluiceErrorCode } from '@sluice/core';
import { startPackageWorker } from '@sluice/core/internal';
import { type SynthesisEvent, type SynthesizeOptions, type TtsEngine, type TtsVoice, unknownVoice } from '@sluice/tts';
import type { EspeakRequest, EspeakResponse } from './protocol';

/** Options for {@link EspeakEngine}. */
export interface EspeakEngineOptions {
  /** Default voice: an eSpeak identifier (`gmw/en-US`) or language (`en-us`, the default). */
  voice?: string;
  /** Speaking rate, 1 = 175 words per minute (eSpeak's default); clamped to 80–450 wpm. */
  rate?: number;
  /** Pitch, 1 = eSpeak's 50; clamped to 0–99. */
  pitch?: number;
  /** Largest text per request (default 600 characters): shorter requests start sooner. */
  maxSegmentChars?: number;
  /**
   * Rate of the audio handed out (default 22050, eSpeak's own). Another rate is converted in the worker thread,
   * so a server asking for 24 kHz (OpenAI's rate) spends nothing on it in its event loop.
   */
  sampleRate?: number;
}

type Listener = (message: EspeakResponse) => void;

/** eSpeak-NG's own output rate. */
const ESPEAK_RATE = 22050;

/** A word of the text: letters and digits, with inner apostrophes, dots or hyphens (it's, 3.14, well-known). */
const WORD = /[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu;

/**
 * Offline text-to-speech with eSpeak-NG compiled to WebAssembly, in a
 * worker thread so synthesis never blocks the event loop. Audio (22050 Hz
 * mono, or `sampleRate`, converted in the worker) is handed over as eSpeak
 * produces it; word events come from eSpeak's own callbacks, mapped to
 * character offsets of the text.
 */
export class EspeakEngine implements TtsEngine {
  readonly name = 'espeak';
  readonly sampleRate: number;
  readonly supportsSsml = false;
  readonly maxSegmentChars: number;
  private readonly options: EspeakEngineOptions;
  private worker: Worker | undefined;
  private ready: Promise<{ loadMs: number }> | undefined;
  private readonly listeners = new Map<number, Listener>();
  private readonly cancel = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  private failure: SluiceError | undefined;
  private closed = false;
  private voiceList: TtsVoice[] | undefined;
  /** Requests run one at a time in the worker; this chains them. */
  private turn: Promise<void> = Promise.resolve();

  constructor(options: EspeakEngineOptions = {}) {
    this.options = options;
    this.maxSegmentChars = options.maxSegmentChars ?? 600;
    this.sampleRate = options.sampleRate ?? ESPEAK_RATE;
    if (!(Number.isInteger(this.sampleRate) && this.sampleRate >= 8000 && this.sampleRate <= 192000))
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `EspeakEngine: sampleRate must be an integer from 8000 to 192000, got ${String(options.sampleRate)}`,
      );
  }

  /** Loads eSpeak in its worker (done on first use anyway); resolves with the load time. */
  load(): Promise<{ loadMs: number }> {
    this.ready ??= new Promise((resolve, reject) => {
      const worker = startPackageWorker(import.meta.url, 'espeak-worker', './espeak-worker.ts', {
        workerData: { cancel: this.cancel.buffer },
      });
      this.worker = worker;
      worker.unref();
      worker.on('message', (message: EspeakResponse) => {
        if (message.type === 'ready') resolve({ loadMs: message.loadMs });
        else this.listeners.get(message.id)?.(message);
      });
      const fail = (error: SluiceError) => {
        this.failure ??= error;
        reject(error);
        for (const listener of this.listeners.values()) listener({ type: 'error', id: 0, code: error.code, message: error.message });
      };
      worker.on('error', (error) => fail(SluiceError.wrap(error, 'E_WORKER', 'EspeakEngine: the eSpeak worker failed')));
      worker.on('exit', (code) =>
        fail(new SluiceError(this.closed ? 'E_CLOSED' : 'E_WORKER', `EspeakEngine: the eSpeak worker exited (code ${code})`)),
      );
    });
    return this.ready;
  }

  async voices(): Promise<TtsVoice[]> {
    if (this.voiceList !== undefined) return this.voiceList;
    const voices: TtsVoice[] = [];
    for await (const message of this.request({ type: 'voices', id: 0 })) {
      if (message.type !== 'voices') continue;
      for (const voice of message.voices) {
        voices.push({
          id: voice.identifier,
          name: voice.name,
          language: voice.languages[0]?.name ?? '',
          languages: voice.languages.map((l) => l.name),
        });
      }
    }
    this.voiceList = voices;
    return voices;
  }

  async *synthesize(text: string, options: SynthesizeOptions = {}, signal?: AbortSignal): AsyncIterable<SynthesisEvent> {
    if (options.textType === 'ssml') throw new SluiceError('E_UNSUPPORTED', 'EspeakEngine: SSML is not supported here; send plain text');
    if (text.trim().length === 0) return;
    const voice = options.voice ?? this.options.voice ?? 'en-us';
    const rate = Math.round(Math.min(450, Math.max(80, 175 * (options.rate ?? this.options.rate ?? 1))));
    const pitch = Math.round(Math.min(99, Math.max(0, 50 * (options.pitch ?? this.options.pitch ?? 1))));
    // eSpeak counts code points from 1; JavaScript strings index UTF-16 units.
    const unitOffsets: number[] = [];
    for (let i = 0; i < text.length; i += (text.codePointAt(i) as number) > 0xffff ? 2 : 1) unitOffsets.push(i);
    unitOffsets.push(text.length);
    const replies = this.request({ type: 'synthesize', id: 0, text, voice, rate, pitch, sampleRate: this.sampleRate }, signal);
    try {
      yield* this.events(replies, text, unitOffsets);
    } catch (error) {
      // The request has released the worker by now, so the voice list can be fetched for the message.
      if (SluiceError.hasCode(error, 'E_TTS_VOICE')) throw unknownVoice('EspeakEngine', voice, await this.voices().catch(() => []));
      throw error;
    }
  }

  /**
   * Audio and word events from the worker's replies, word positions mapped
   * to string offsets. eSpeak gives no event for some short function words
   * ("the" before a noun): those are filled in, in order, with times
   * interpolated between their neighbours and marked `estimated`, so every
   * word of the text gets an event.
   */
  private async *events(replies: AsyncGenerator<EspeakResponse>, text: string, unitOffsets: number[]): AsyncGenerator<SynthesisEvent> {
    const words = [...text.matchAll(WORD)].map((match) => ({
      start: match.index as number,
      end: (match.index as number) + match[0].length,
    }));
    let next = 0;
    let lastEnd = -1;
    let lastTime = 0;
    let frames = 0;
    const fill = function* (until: number, time: number): Generator<SynthesisEvent> {
      const missing: { start: number; end: number }[] = [];
      while (next < words.length && (words[next] as { start: number }).start < until)
        missing.push(words[next++] as { start: number; end: number });
      const step = (time - lastTime) / (missing.length + 1);
      for (const [i, word] of missing.entries()) {
        if (word.start < lastEnd) continue;
        yield {
          type: 'word',
          word: {
            text: text.slice(word.start, word.end),
            start: word.start,
            end: word.end,
            time: lastTime + step * (i + 1),
            estimated: true,
          },
        };
      }
    };
    for await (const message of replies) {
      if (message.type === 'audio') {
        frames += message.samples.length;
        yield { type: 'audio', samples: message.samples };
      } else if (message.type === 'word' && message.length > 0) {
        const start = unitOffsets[message.position - 1] ?? text.length;
        const end = unitOffsets[Math.min(unitOffsets.length - 1, message.position - 1 + message.length)] ?? text.length;
        // eSpeak reports parts of numbers it expands ("3.14") as extra words inside the first: keep the first.
        if (start < lastEnd) continue;
        const time = message.ms / 1000;
        yield* fill(start, time);
        while (next < words.length && (words[next] as { start: number }).start < end) next++;
        lastEnd = end;
        lastTime = time;
        yield { type: 'word', word: { text: text.slice(start, end), start, end, time } };
      }
    }
    yield* fill(text.length, frames / this.sampleRate);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
  }

  /** Sends one request when the worker is free and yields its replies until it ends. */
  private async *request(message: EspeakRequest, signal?: AbortSignal): AsyncGenerator<EspeakResponse> {
    await this.load();
    const id = this.nextId++;
    const queue: EspeakResponse[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let posted = false;
    this.listeners.set(id, (reply) => {
      queue.push(reply);
      wake?.();
    });
    let release!: () => void;
    const previous = this.turn;
    this.turn = new Promise((resolve) => {
      release = resolve;
    });
    const onAbort = () => {
      Atomics.store(this.cancel, 0, id);
      wake?.();
    };
    try {
      await previous;
      if (this.failure !== undefined) throw this.failure;
      signal?.throwIfAborted();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.worker?.ref();
      this.worker?.postMessage({ ...message, id });
      posted = true;
      while (!ended) {
        if (signal?.aborted) throw new SluiceError('E_ABORTED', 'EspeakEngine: synthesis aborted', { cause: signal.reason });
        const reply = queue.shift();
        if (reply === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        if (reply.type === 'error') {
          ended = true;
          throw new SluiceError(reply.code as SluiceErrorCode, `EspeakEngine: ${reply.message}`);
        }
        if (reply.type === 'end' || reply.type === 'voices') ended = true;
        yield reply;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.listeners.delete(id);
      if (posted && !ended && !queue.some((reply) => reply.type === 'end' || reply.type === 'error')) {
        // Stop eSpeak if it is still on this request, then wait for its end before the next request starts.
        Atomics.store(this.cancel, 0, id);
        await this.drainUntilEnd(id);
      }
      if (this.listeners.size === 0) this.worker?.unref();
      release();
    }
  }

  /** Waits for the `end` of a cancelled request (bounded: the worker stops at its next callback). */
  private drainUntilEnd(id: number): Promise<void> {
    if (this.failure !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.listeners.set(id, (reply) => {
        if (reply.type === 'end' || reply.type === 'error') {
          this.listeners.delete(id);
          resolve();
        }
      });
    });
  }
}
