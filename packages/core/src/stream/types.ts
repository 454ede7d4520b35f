import type { AudioChunk } from '../chunk/audio-chunk';
import type { AudioFormat } from '../format/audio-format';

/**
 * Where audio comes from: an async iterable of chunks of one known format.
 * Chunks arrive with `seq` 0, 1, 2… and the last one has `final: true`
 * (a source may also simply end). Iteration is pull-based: the source
 * produces the next chunk only when asked, which is how backpressure works.
 */
export interface Source extends AsyncIterable<AudioChunk> {
  /** The format of every chunk this source yields. */
  readonly format: AudioFormat;
  /** A name for stats and messages. */
  readonly name?: string;
  /**
   * Releases what the source holds (files, processes, devices) and ends
   * iteration: the next pull is `done`, even where chunks were already cut,
   * and it never waits on a consumer that has stopped reading. Pipelines
   * call it on every path, including errors and aborts; it must be idempotent.
   */
  close?(): void | Promise<void>;
}

/**
 * An iterator that can also hand out chunks synchronously when they are
 * ready (generated audio, in-memory data, bytes already buffered). Pipelines
 * use `nextSync()` first and fall back to `next()` when it returns
 * `undefined`, so buffered audio moves without a promise per chunk.
 */
export interface SyncPullIterator<T> extends AsyncIterator<T> {
  /**
   * The next result if it is ready now, or `undefined` to say "await next()".
   * The result object may be the same one each call, rewritten: read it
   * before calling again (core's sources do this, so a pipeline allocates
   * nothing per chunk).
   */
  nextSync(): IteratorResult<T> | undefined;
}

/**
 * Set (to true) on the iterators of core's own sources whose chunks are right
 * by construction: numbered by a ChunkStamper of the source's format, one
 * plane per channel, every plane `frames` long. The pipeline skips its own
 * check of each chunk from them (format, seq, plane lengths: a few per cent of an identity pipeline's
 * time per chunk). Not exported from the package: other sources are checked.
 */
export const CHECKED_CHUNKS = Symbol('sluice.checkedChunks');

/** True when `iterator` carries {@link CHECKED_CHUNKS}. */
export function yieldsCheckedChunks(iterator: object): boolean {
  return (iterator as { [CHECKED_CHUNKS]?: unknown })[CHECKED_CHUNKS] === true;
}

/** True when an iterator offers {@link SyncPullIterator.nextSync}. */
export function canPullSync<T>(iterator: AsyncIterator<T>): iterator is SyncPullIterator<T> {
  return typeof (iterator as Partial<SyncPullIterator<T>>).nextSync === 'function';
}

/** What a processor returns for one input: nothing yet, one chunk, or several. */
export type ProcessorOutput = AudioChunk | readonly AudioChunk[] | null | undefined | void;

/**
 * Maps chunks to zero or more chunks, possibly holding state between them.
 *
 * A processor need not number its output: the pipeline stamps `seq`,
 * `startFrame` and `final` on what it returns. Returning synchronously is
 * fastest; returning a promise is fine for work off the main thread.
 */
export interface Processor {
  /** A name for stats and messages. */
  readonly name?: string;
  /** How many frames the output lags the input (0 when unknown or none). */
  readonly latencyFrames?: number;
  /**
   * Called once before the first chunk with the input format. Returns the
   * output format when it differs (a resampler, a remixer), or nothing.
   * Throw `E_FORMAT` for inputs the processor cannot take.
   */
  open?(input: AudioFormat): AudioFormat | undefined | void;
  /** Processes one chunk. */
  process(chunk: AudioChunk): ProcessorOutput | Promise<ProcessorOutput>;
  /** Emits whatever is still held at the end of the stream. */
  flush?(): ProcessorOutput | Promise<ProcessorOutput>;
  /** Forgets all state, ready for a new stream (between files). */
  reset?(): void;
  /** Releases resources (workers, sessions). Called once when the pipeline ends. */
  close?(): void | Promise<void>;
}

/**
 * Where audio goes. `write` may return a promise: the pipeline waits for it
 * before pulling the next chunk, so a slow sink slows the source down.
 */
export interface Sink {
  /** A name for stats and messages. */
  readonly name?: string;
  /** Called once before the first chunk with the format that will arrive. */
  open?(format: AudioFormat): void | Promise<void>;
  /** Consumes one chunk. */
  write(chunk: AudioChunk): void | Promise<void>;
  /** Finishes the output (flush, fix headers, release). Called once at the end of a successful stream. */
  close(): void | Promise<void>;
  /**
   * Stops on failure or abort: releases resources without waiting for
   * buffered output, keeping what was written usable where it can.
   */
  abort?(reason: unknown): void | Promise<void>;
}

/** True when `value` is a promise-like. Used to keep synchronous stages on a synchronous path. */
export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}
