import { type AudioChunk, type Planes, SluiceError } from '@sluice/core';
import type { Container } from './containers';

/**
 * A streaming encoder: one per stream, chunk boundaries never reach the
 * output (one header, one encoder instance, no restarts).
 */
export interface StreamingAudioWriter {
  /** The container written. */
  readonly container: Container;
  /** Content-Type for HTTP. */
  readonly mimeType: string;
  /** Encodes one chunk (or planes); resolves with the bytes that are ready now (possibly none). */
  write(input: AudioChunk | Planes): Promise<Uint8Array>;
  /** Ends the stream; resolves with the remaining bytes. */
  finalize(): Promise<Uint8Array>;
  /** Stops at once, releasing the encoder (a child process, if any). */
  abort(): Promise<void>;
  /** Frames accepted so far. */
  readonly framesWritten: number;
  /** Bytes returned so far. */
  readonly bytesOut: number;
}

/** The planes of a write, after the checks every streaming writer makes: not finalized, the stream's channel count. */
export function planesToWrite(writer: { readonly container: string }, input: AudioChunk | Planes, channels: number, done: boolean): Planes {
  if (done) throw new SluiceError('E_CLOSED', `${writer.container} writer: write after finalize`);
  const planes = planesOf(input);
  if (planes.length !== channels) {
    throw new SluiceError('E_FORMAT', `${writer.container} writer: ${planes.length} channel(s) written to a ${channels}-channel stream`);
  }
  return planes;
}

/** Planes of a chunk or planes. */
export function planesOf(input: AudioChunk | Planes): Planes {
  return Array.isArray(input) ? (input as Planes) : (input as AudioChunk).planes;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
