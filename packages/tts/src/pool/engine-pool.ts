import { SluiceError, abortError } from '@sluice/core';
import type { SynthesisEvent, SynthesizeOptions, TtsEngine, TtsVoice } from '../engine/types';

/** Options for {@link EnginePool}. */
export interface EnginePoolOptions {
  /** Makes one engine (each its own worker, for eSpeak). */
  create: () => TtsEngine;
  /** Engines at once (default 2; the cores are a good size). */
  size?: number;
}

interface Waiter {
  stream: object;
  index: number;
  arrival: number;
  resolve(engine: TtsEngine): void;
  reject(error: unknown): void;
}

/**
 * Several engines shared fairly by many speech streams: every stream's
 * first segment before any stream's later ones, then round-robin between
 * streams, so twenty listeners all hear their first sentence early instead
 * of one after another. Streams identify themselves with
 * `SynthesizeOptions.schedule` (TtsStream does); requests without it are one
 * stream each. An engine is held only while it synthesizes: its events are
 * drained into the request's own queue, so a listener who reads slowly holds
 * no engine. A request whose signal aborts leaves the queue at once, or
 * stops its engine.
 */
export class EnginePool implements TtsEngine {
  readonly name: string;
  readonly sampleRate: number;
  readonly maxSegmentChars: number;
  readonly supportsSsml: boolean;
  readonly size: number;
  private readonly engines: TtsEngine[];
  private readonly idle: TtsEngine[];
  private readonly waiting: Waiter[] = [];
  private arrivals = 0;
  /** Streams in the order they were last served: round-robin picks the least recently served. */
  private readonly served = new Map<object, number>();
  private serves = 0;

  constructor(options: EnginePoolOptions) {
    const size = options.size ?? 2;
    if (!Number.isInteger(size) || size < 1)
      throw new SluiceError('E_INVALID_ARGUMENT', `EnginePool: size must be a positive integer, got ${size}`);
    this.size = size;
    this.engines = Array.from({ length: size }, () => options.create());
    this.idle = [...this.engines];
    const first = this.engines[0] as TtsEngine;
    this.name = first.name;
    this.sampleRate = first.sampleRate;
    this.maxSegmentChars = first.maxSegmentChars;
    this.supportsSsml = first.supportsSsml;
  }

  voices(signal?: AbortSignal): Promise<TtsVoice[]> {
    return (this.engines[0] as TtsEngine).voices(signal);
  }

  /** Loads every engine and has each speak `text` once, so no listener waits for a cold engine. */
  async warmUp(text = 'Ready.'): Promise<void> {
    await Promise.all(this.engines.map((engine) => warmUp(engine, text)));
  }

  /** Requests waiting for an engine (for metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  async *synthesize(text: string, options: SynthesizeOptions = {}, signal?: AbortSignal): AsyncIterable<SynthesisEvent> {
    const engine = await this.acquire(options.schedule ?? { stream: {}, index: 0 }, signal);
    const events: SynthesisEvent[] = [];
    let done = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    // Drained eagerly, so the engine goes back to the pool as soon as it has finished, whatever the reader does.
    const { schedule: _schedule, ...engineOptions } = options;
    const draining = (async () => {
      try {
        for await (const event of engine.synthesize(text, engineOptions, signal)) {
          events.push(event);
          wake?.();
        }
      } catch (error) {
        failure = error;
      } finally {
        done = true;
        this.release(engine);
        wake?.();
      }
    })();
    try {
      for (;;) {
        const event = events.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (done) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      if (failure !== undefined) throw failure;
    } finally {
      await draining;
    }
  }

  async close(): Promise<void> {
    for (const waiter of this.waiting.splice(0)) waiter.reject(new SluiceError('E_CLOSED', `${this.name}: the engine pool was closed`));
    await Promise.all(this.engines.map((engine) => engine.close?.()));
  }

  private acquire(schedule: { stream: object; index: number }, signal: AbortSignal | undefined): Promise<TtsEngine> {
    if (signal?.aborted) return Promise.reject(abortError(signal, 'speech'));
    const engine = this.waiting.length === 0 ? this.idle.pop() : undefined;
    if (engine !== undefined) {
      this.served.set(schedule.stream, this.serves++);
      return Promise.resolve(engine);
    }
    return new Promise<TtsEngine>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) {
          this.waiting.splice(at, 1);
          reject(abortError(signal, 'speech'));
        }
      };
      // The listener goes when the waiter is served: a stream's signal sees one request after another.
      const settle =
        <T>(finish: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          finish(value);
        };
      const waiter: Waiter = { ...schedule, arrival: this.arrivals++, resolve: settle(resolve), reject: settle(reject) };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(engine: TtsEngine): void {
    const next = this.pick();
    if (next === undefined) {
      this.idle.push(engine);
      return;
    }
    this.waiting.splice(this.waiting.indexOf(next), 1);
    this.served.set(next.stream, this.serves++);
    next.resolve(engine);
  }

  /** First segments first (oldest first); then the stream served least recently, its oldest request. */
  private pick(): Waiter | undefined {
    let best: Waiter | undefined;
    for (const waiter of this.waiting) {
      if (best === undefined || rank(this.served, waiter) < rank(this.served, best)) best = waiter;
    }
    return best;
  }
}

function rank(served: Map<object, number>, waiter: Waiter): number {
  // A first segment beats everything; otherwise streams never served (or served longest ago) come first.
  if (waiter.index === 0) return -1e15 + waiter.arrival;
  return (served.get(waiter.stream) ?? -1) * 1e6 + waiter.arrival;
}

/**
 * Has an engine load and speak `text` once (every engine of a pool), so the
 * first real request does not pay for loading it.
 */
export async function warmUp(engine: TtsEngine, text = 'Ready.'): Promise<void> {
  if (engine instanceof EnginePool) {
    await engine.warmUp(text);
    return;
  }
  for await (const _event of engine.synthesize(text)) {
    // Only the warming matters.
  }
}
