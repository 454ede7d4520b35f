import type { ChunkMeta } from './audio-chunk';
import { SluiceError } from '../errors/sluice-error';

/** Encoded bytes (a WAV header and data, MP3 frames, NDJSON records…) with the stream rules of AudioChunk. */
export interface ByteChunk {
  /** The bytes. */
  readonly data: Uint8Array;
  /** Position of the chunk in its stream: 0, 1, 2… with no gaps. */
  readonly seq: number;
  /** True on the last chunk of a stream. */
  readonly final: boolean;
  /** Metadata passed along with the bytes. */
  readonly meta?: ChunkMeta;
}

/** Builds a validated ByteChunk. */
export function createByteChunk(init: { data: Uint8Array; seq?: number; final?: boolean; meta?: ChunkMeta }): ByteChunk {
  if (!(init.data instanceof Uint8Array)) {
    throw new SluiceError('E_INVALID_ARGUMENT', 'ByteChunk: data must be a Uint8Array (a Buffer is one)');
  }
  const seq = init.seq ?? 0;
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new SluiceError('E_INVALID_ARGUMENT', `ByteChunk: seq must be a non-negative integer, got ${String(seq)}`);
  }
  const chunk: { -readonly [K in keyof ByteChunk]: ByteChunk[K] } = { data: init.data, seq, final: init.final ?? false };
  if (init.meta !== undefined) chunk.meta = init.meta;
  return chunk;
}

/** True when `value` looks like a ByteChunk (has `data` bytes) rather than an AudioChunk. */
export function isByteChunk(value: unknown): value is ByteChunk {
  return typeof value === 'object' && value !== null && (value as ByteChunk).data instanceof Uint8Array;
}
