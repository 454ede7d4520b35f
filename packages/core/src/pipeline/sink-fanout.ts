import type { AudioChunk } from '../chunk/audio-chunk';
import type { AudioFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import { withTimeout } from '../internal/timeout';
import { type Sink, isPromiseLike } from '../stream/types';
import { StageCounter, type StageStats } from './stats';

/** What a {@link SinkFanout} needs from the pipeline that runs it. */
export interface FanoutOptions {
  /** A sink write that does not settle within this time fails the run with `E_TIMEOUT` (undefined: no limit). */
  sinkTimeoutMs?: number | undefined;
  /** Longest wait for one sink to abort. */
  closeTimeoutMs: number;
  /** Awaits a sink's promise so that stop() or an abort can cut it short. */
  interruptible<T>(promise: PromiseLike<T>): Promise<T>;
}

/**
 * A pipeline's sinks: every chunk goes to each of them in turn, synchronously
 * while they answer synchronously, and the slowest sets the pace. Counts what
 * was delivered, per sink and in all.
 */
export class SinkFanout {
  /** Chunks and frames every sink took. */
  readonly delivered = { chunks: 0, frames: 0 };
  readonly #counters: StageCounter[];

  constructor(
    readonly sinks: readonly Sink[],
    private readonly options: FanoutOptions,
  ) {
    this.#counters = sinks.map((sink, i) => new StageCounter(sink.name ?? `sink-${i}`, 'sink'));
  }

  /** Opens every sink on the format the last stage puts out. */
  open(format: AudioFormat): Promise<unknown> {
    return Promise.all(this.sinks.map((sink) => sink.open?.(format)));
  }

  /** Closes every sink normally: what was written stays usable. */
  close(): Promise<unknown> {
    return Promise.all(this.sinks.map((sink) => sink.close()));
  }

  /** Aborts every sink (or closes one that cannot abort), each bounded by the close timeout; never rejects. */
  async abort(reason: SluiceError): Promise<void> {
    const timeoutMs = this.options.closeTimeoutMs;
    await Promise.allSettled(
      this.sinks.map((sink) =>
        withTimeout(
          Promise.resolve().then(() => (sink.abort ? sink.abort(reason) : sink.close())),
          timeoutMs,
          'sink abort',
        ),
      ),
    );
  }

  /** Each sink's statistics, in order. */
  snapshots(sampleRate: number): StageStats[] {
    return this.#counters.map((counter) => counter.snapshot(sampleRate));
  }

  /** Adds time spent writing (the sinks share one clock reading) to every sink. */
  countTime(elapsedMs: number): void {
    for (const counter of this.#counters) counter.busyMs += elapsedMs;
  }

  /**
   * Writes `chunks[from..]` to every sink, calling `onChunk` (when given)
   * with each once every sink took it; returns a promise only when a sink is
   * asynchronous.
   */
  deliver(chunks: AudioChunk[], onChunk: ((chunk: AudioChunk) => void) | undefined, from = 0): Promise<void> | undefined {
    const sinks = this.sinks;
    for (let k = from; k < chunks.length; k++) {
      const chunk = chunks[k] as AudioChunk;
      let wait: Promise<unknown> | undefined;
      if (sinks.length === 1) {
        wait = this.writeTo(0, chunk);
      } else {
        let waits: Promise<void>[] | undefined;
        for (let i = 0; i < sinks.length; i++) {
          const result = this.writeTo(i, chunk);
          if (result !== undefined) (waits ??= []).push(result);
        }
        if (waits !== undefined) wait = Promise.all(waits);
      }
      if (wait !== undefined) {
        return this.options.interruptible(wait).then(() => {
          this.count(chunk, onChunk);
          return this.deliver(chunks, onChunk, k + 1);
        });
      }
      this.count(chunk, onChunk);
    }
    return undefined;
  }

  private count(chunk: AudioChunk, onChunk: ((chunk: AudioChunk) => void) | undefined): void {
    for (const counter of this.#counters) {
      counter.chunks++;
      counter.frames += chunk.frames;
    }
    this.delivered.chunks++;
    this.delivered.frames += chunk.frames;
    onChunk?.(chunk);
  }

  /** Writes to one sink; returns a promise only when the sink is asynchronous. */
  private writeTo(index: number, chunk: AudioChunk): Promise<void> | undefined {
    const sink = this.sinks[index] as Sink;
    const name = (this.#counters[index] as StageCounter).name;
    let result: void | Promise<void>;
    try {
      result = sink.write(chunk);
    } catch (error) {
      throw SluiceError.wrap(error, 'E_SINK', `Sink "${name}" failed on chunk ${chunk.seq}`);
    }
    if (!isPromiseLike(result)) return undefined;
    const timeoutMs = this.options.sinkTimeoutMs;
    const settled = Promise.resolve(result).catch((error: unknown) => {
      throw SluiceError.wrap(error, 'E_SINK', `Sink "${name}" failed on chunk ${chunk.seq}`);
    });
    if (timeoutMs === undefined) return settled;
    return withTimeout(
      settled,
      timeoutMs,
      `Sink "${name}" did not accept chunk ${chunk.seq} within ${timeoutMs} ms; it is not draining (raise sinkTimeoutMs if it is just slow)`,
    );
  }
}
