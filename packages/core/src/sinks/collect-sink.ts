import type { AudioChunk, Planes } from '../chunk/audio-chunk';
import type { AudioFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import type { Sink } from '../stream/types';

/** Options for {@link CollectSink}. */
export interface CollectSinkOptions {
  /**
   * Refuse to grow past this many frames (default: no limit). Collecting is
   * the one place where memory grows with the input; a limit keeps it honest.
   */
  maxFrames?: number;
}

/**
 * Gathers a whole stream into contiguous planes (and stems, when chunks carry
 * them). For tests, short clips and batch work; streaming code should not need it.
 */
export class CollectSink implements Sink {
  readonly name = 'collect-sink';
  /** Format of the collected audio (known once the pipeline opened the sink or the first chunk arrived). */
  format: AudioFormat | undefined;
  /** Chunks received, in order. */
  chunkCount = 0;
  /** Metadata of every chunk that had some, in order. */
  readonly metas: Record<string, unknown>[] = [];
  private parts: Planes[] = [];
  private stemParts = new Map<string, Planes[]>();
  private length = 0;
  private closed = false;

  constructor(private readonly options: CollectSinkOptions = {}) {}

  open(format: AudioFormat): void {
    this.format = format;
  }

  write(chunk: AudioChunk): void {
    if (this.closed) throw new SluiceError('E_CLOSED', 'CollectSink: write after close');
    this.format ??= chunk.format;
    if (this.options.maxFrames !== undefined && this.length + chunk.frames > this.options.maxFrames) {
      throw new SluiceError('E_BUFFER_OVERFLOW', `CollectSink: more than maxFrames (${this.options.maxFrames}) frames arrived`);
    }
    this.chunkCount++;
    if (chunk.meta !== undefined) this.metas.push({ ...chunk.meta });
    if (chunk.frames === 0) return;
    this.parts.push(chunk.planes);
    if (chunk.stems !== undefined) {
      for (const [name, planes] of Object.entries(chunk.stems)) {
        let list = this.stemParts.get(name);
        if (list === undefined) {
          list = [];
          this.stemParts.set(name, list);
        }
        list.push(planes);
      }
    }
    this.length += chunk.frames;
  }

  close(): void {
    this.closed = true;
  }

  abort(): void {
    this.closed = true;
  }

  /** Frames collected so far. */
  get frames(): number {
    return this.length;
  }

  /** The collected audio, one contiguous Float32Array per channel. */
  get planes(): Float32Array[] {
    return concatPlanes(this.parts, this.format?.channels ?? this.parts[0]?.length ?? 0, this.length);
  }

  /** The collected stems by name, each contiguous. */
  get stems(): Record<string, Float32Array[]> {
    const out: Record<string, Float32Array[]> = {};
    for (const [name, parts] of this.stemParts) {
      const frames = parts.reduce((sum, planes) => sum + (planes[0]?.length ?? 0), 0);
      out[name] = concatPlanes(parts, parts[0]?.length ?? 0, frames);
    }
    return out;
  }

  /** Duration collected, in seconds. */
  get seconds(): number {
    return this.format === undefined ? 0 : this.length / this.format.sampleRate;
  }
}

/** Concatenates planar parts into one contiguous plane per channel. */
export function concatPlanes(parts: readonly Planes[], channels: number, frames?: number): Float32Array[] {
  const total = frames ?? parts.reduce((sum, planes) => sum + (planes[0]?.length ?? 0), 0);
  const out = Array.from({ length: channels }, () => new Float32Array(total));
  let offset = 0;
  for (const planes of parts) {
    for (let c = 0; c < channels; c++) (out[c] as Float32Array).set(planes[c] as Float32Array, offset);
    offset += planes[0]?.length ?? 0;
  }
  return out;
}
