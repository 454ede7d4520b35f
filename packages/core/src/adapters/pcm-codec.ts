import type { AudioChunk } from '../chunk/audio-chunk';
import { ChunkStamper } from '../chunk/chunk-stamper';
import { bytesPerSample, decodePcm, encodePcm, type EncodePcmOptions, type SampleFormat } from '../convert/sample-format';
import { type AudioFormat, validateFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import type { Source } from '../stream/types';

/** Options for decoding raw PCM bytes into chunks. */
export interface PcmDecodeOptions {
  /** Rate and channel count of the bytes. */
  format: AudioFormat;
  /** How the samples are encoded (default `s16le`). */
  sampleFormat?: SampleFormat;
  /** Frames per emitted chunk (default 1024). Incoming byte boundaries do not matter. */
  chunkFrames?: number;
  /** What to do with a partial frame at the very end: `error` (default) or `drop`. */
  trailingBytes?: 'error' | 'drop';
}

/**
 * Incremental PCM decoder: push byte buffers of any size, get whole chunks
 * of `chunkFrames`. Keeps a partial frame between pushes. Memory is one chunk.
 */
export class PcmDecoder {
  readonly format: AudioFormat;
  readonly sampleFormat: SampleFormat;
  readonly chunkFrames: number;
  private readonly frameBytes: number;
  private readonly stamper: ChunkStamper;
  private readonly buffer: Uint8Array;
  private filled = 0;
  private readonly trailing: 'error' | 'drop';

  constructor(options: PcmDecodeOptions) {
    this.format = validateFormat(options.format, 'PCM decoder');
    this.sampleFormat = options.sampleFormat ?? 's16le';
    this.chunkFrames = options.chunkFrames ?? 1024;
    if (!Number.isInteger(this.chunkFrames) || this.chunkFrames <= 0) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `PCM decoder: chunkFrames must be a positive integer, got ${String(options.chunkFrames)}`,
      );
    }
    this.frameBytes = bytesPerSample(this.sampleFormat) * this.format.channels;
    this.buffer = new Uint8Array(this.chunkFrames * this.frameBytes);
    this.stamper = new ChunkStamper(this.format);
    this.trailing = options.trailingBytes ?? 'error';
  }

  /** Decodes what `bytes` completes; returns the finished chunks (possibly none). */
  push(bytes: Uint8Array): AudioChunk[] {
    const out: AudioChunk[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(this.buffer.length - this.filled, bytes.length - offset);
      this.buffer.set(bytes.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.buffer.length) {
        out.push(this.stamper.stamp(decodePcm(this.buffer, this.sampleFormat, this.format.channels)));
        this.filled = 0;
      }
    }
    return out;
  }

  /** Ends the stream: returns the last (final) chunk. */
  end(): AudioChunk {
    const whole = this.filled - (this.filled % this.frameBytes);
    if (whole !== this.filled && this.trailing === 'error') {
      throw new SluiceError(
        'E_DECODE',
        `PCM stream ended with ${this.filled % this.frameBytes} stray byte(s): not a whole ${this.format.channels}-channel ${this.sampleFormat} frame (${this.frameBytes} bytes)`,
      );
    }
    const planes = decodePcm(this.buffer.subarray(0, whole), this.sampleFormat, this.format.channels);
    this.filled = 0;
    return this.stamper.stamp(planes, true);
  }
}

/**
 * A Source over raw PCM bytes from any async iterable: a Node Readable, a
 * WHATWG ReadableStream (both are async iterables on Node 20), a socket…
 */
export function pcmSource(bytes: AsyncIterable<Uint8Array>, options: PcmDecodeOptions & { name?: string }): Source {
  const decoder = () => new PcmDecoder(options);
  const format = validateFormat(options.format, 'pcmSource');
  return {
    format,
    name: options.name ?? 'pcm-source',
    async *[Symbol.asyncIterator]() {
      const pcm = decoder();
      let pending: AudioChunk | undefined;
      for await (const piece of bytes) {
        for (const chunk of pcm.push(piece)) {
          if (pending !== undefined) yield pending;
          pending = chunk;
        }
      }
      if (pending !== undefined) yield pending;
      yield pcm.end();
    },
  };
}

/** Encodes a stream of chunks to raw PCM byte buffers, one per chunk. */
export async function* pcmBytes(
  chunks: AsyncIterable<AudioChunk>,
  sampleFormat: SampleFormat = 's16le',
  options: Omit<EncodePcmOptions, 'out'> = {},
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    if (chunk.frames > 0) yield encodePcm(chunk.planes, sampleFormat, options);
  }
}
