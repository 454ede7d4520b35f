import { type AudioChunk, type AudioFormat, type Source, validateFormat } from '@sluice/core';
import { type DecodeOptions, FfmpegDecoder } from './ffmpeg-decoder';

/**
 * Decodes encoded bytes arriving from a stream (a Node Readable, a WHATWG
 * ReadableStream, an upload, a socket) in any format ffmpeg reads.
 * `await ByteStreamSource.open(bytes)` learns the format from the stream
 * itself; the bytes are consumed once.
 */
export class ByteStreamSource implements Source {
  readonly name = 'byte-stream';

  private constructor(
    readonly format: AudioFormat,
    private readonly decoder: FfmpegDecoder,
  ) {}

  /** Starts decoding and resolves once ffmpeg has identified the audio (E_DECODE if it is not audio). */
  static async open(bytes: AsyncIterable<Uint8Array>, options: DecodeOptions = {}): Promise<ByteStreamSource> {
    const decoder = new FfmpegDecoder({ bytes }, options, 'the input stream');
    const info = await decoder.start();
    const format = validateFormat(
      { sampleRate: options.sampleRate ?? info.sampleRate, channels: options.channels ?? info.channels },
      'ByteStreamSource',
    );
    return new ByteStreamSource(format, decoder);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    try {
      yield* this.decoder.chunks(this.format);
    } finally {
      await this.decoder.close();
    }
  }

  async close(): Promise<void> {
    await this.decoder.close();
  }
}
