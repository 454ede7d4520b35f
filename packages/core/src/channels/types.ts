import type { AudioChunk } from '../chunk/audio-chunk';
import type { ByteChunk } from '../chunk/byte-chunk';

/** What a channel carries: encoded bytes or audio. */
export type ChannelChunk = ByteChunk | AudioChunk;

/** Limits of a channel. */
export interface ChannelConfig {
  /**
   * Most bytes buffered between sender and receiver (default 1 MiB in memory,
   * 1 GiB for file channels). `send` waits while the buffer is full.
   */
  budgetBytes?: number;
  /** Largest chunk stored as one piece (default 64 KiB); larger chunks are split, never refused. */
  maxChunkBytes?: number;
}

/** Counters of a channel, like wasm-sandbox's `stats()`. */
export interface ChannelStats {
  /** Bytes accepted by `send`. */
  readonly bytesSent: number;
  /** Bytes handed out by `receive`. */
  readonly bytesReceived: number;
  /** Chunks stored (after splitting). */
  readonly chunksSent: number;
  /** Chunks handed out. */
  readonly chunksReceived: number;
  /** Mean size of the chunks stored, in bytes. */
  readonly averageChunkSize: number;
  /** Seconds senders spent waiting for room (backpressure). */
  readonly blockedSeconds: number;
  /** Bytes waiting in the channel now. */
  readonly bufferedBytes: number;
  /** Chunks waiting in the channel now. */
  readonly bufferedChunks: number;
}

/**
 * A bounded, ordered pipe of chunks between a producer and a consumer, with
 * the stream rules of the chunk contract: chunks numbered 0, 1, 2…, the one
 * marked `final` ends the stream. Iterating it (`for await`) receives every
 * chunk; a consumer that leaves the loop before the end cancels the stream,
 * so that senders fail with `E_CLOSED` rather than wait for room that never
 * comes.
 */
export interface StreamingChannel<T extends ChannelChunk> extends AsyncIterable<T> {
  /** The channel's id. */
  readonly id: string;
  /** Sends one chunk (waits while the budget is full). Its `seq` must follow the previous one. */
  send(chunk: T): Promise<void>;
  /** Receives the next chunk, or `null` when the stream has ended. */
  receive(): Promise<T | null>;
  /** Ends the sending side without a final chunk; receivers drain what is left, then get `null`. */
  close(): void;
  /** Ends both sides with an error: pending and later calls reject with it. */
  abort(reason?: unknown): void;
  /** True once the sending side has ended. */
  readonly closed: boolean;
  /** Counters. */
  stats(): ChannelStats;
}
