import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type AudioChunk, type AudioFormat, type Sink, SluiceError } from '@sluice/core';
import { createWriter } from '../encode/create-writer';
import type { EncodeOptions, OutputFormat } from '../encode/formats';
import type { StreamingAudioWriter } from '../encode/writer';

/** Options for the encoding byte sinks. */
export interface ByteSinkOptions extends EncodeOptions {
  /** Output format. */
  format: OutputFormat;
  /** Encode this stem instead of the mix. */
  stem?: string;
  /** Stops the encoder when aborted. */
  signal?: AbortSignal;
}

type ByteTarget = Writable | WritableStream<Uint8Array>;

/**
 * Encodes a stream and hands the bytes on as they are produced (never the
 * whole output at once): the base of the byte sinks.
 */
abstract class EncodingSink implements Sink {
  abstract readonly name: string;
  protected writer: StreamingAudioWriter | undefined;

  constructor(protected readonly options: ByteSinkOptions) {}

  /** Content-Type of what this sink produces (known once opened). */
  get mimeType(): string | undefined {
    return this.writer?.mimeType;
  }

  protected abstract emit(bytes: Uint8Array, final: boolean): void | Promise<void>;

  open(format: AudioFormat): void | Promise<void> {
    this.writer = createWriter({ ...this.options, sampleRate: format.sampleRate, channels: format.channels });
  }

  async write(chunk: AudioChunk): Promise<void> {
    const planes = this.options.stem === undefined ? chunk.planes : chunk.stems?.[this.options.stem];
    if (planes === undefined) throw new SluiceError('E_INVALID_ARGUMENT', `chunk ${chunk.seq} has no stem "${this.options.stem}"`);
    const bytes = await this.requireWriter().write(planes);
    if (bytes.length > 0) await this.emit(bytes, false);
  }

  async close(): Promise<void> {
    const bytes = await this.requireWriter().finalize();
    await this.emit(bytes, true);
  }

  async abort(): Promise<void> {
    await this.writer?.abort();
  }

  private requireWriter(): StreamingAudioWriter {
    if (this.writer === undefined) throw new SluiceError('E_CLOSED', `${this.name}: write before open (use it in a Pipeline)`);
    return this.writer;
  }
}

/**
 * Encodes into a Node Writable (a file stream, a socket, an HTTP response)
 * or a WHATWG WritableStream, waiting for the target's backpressure. The
 * first bytes leave as soon as the encoder has them.
 */
export class ByteStreamSink extends EncodingSink {
  readonly name = 'byte-stream-sink';
  private webWriter: WritableStreamDefaultWriter<Uint8Array> | undefined;

  constructor(
    private readonly target: ByteTarget,
    options: ByteSinkOptions & { end?: boolean },
  ) {
    super(options);
  }

  override open(format: AudioFormat): void {
    super.open(format);
    const response = this.target as Partial<{ setHeader(name: string, value: string): void; headersSent: boolean }>;
    if (typeof response.setHeader === 'function' && !response.headersSent && this.writer)
      response.setHeader('Content-Type', this.writer.mimeType);
    if (!isNodeWritable(this.target)) this.webWriter = this.target.getWriter();
  }

  protected async emit(bytes: Uint8Array, final: boolean): Promise<void> {
    if (this.webWriter) {
      if (bytes.length > 0) {
        await this.webWriter.ready;
        await this.webWriter.write(bytes);
      }
      if (final && (this.options as { end?: boolean }).end !== false) await this.webWriter.close();
      return;
    }
    const writable = this.target as Writable;
    if (writable.destroyed) throw new SluiceError('E_IO', 'ByteStreamSink: the target stream was closed (client gone?)');
    if (bytes.length > 0 && !writable.write(bytes)) await Promise.race([once(writable, 'drain'), once(writable, 'close')]);
    if (final && (this.options as { end?: boolean }).end !== false) {
      writable.end();
      if (!writable.writableFinished) await Promise.race([once(writable, 'finish'), once(writable, 'close')]);
    }
  }

  override async abort(): Promise<void> {
    await super.abort();
    if (this.webWriter) await this.webWriter.abort().catch(() => {});
    else (this.target as Writable).destroy();
  }
}

/** Encodes and calls back with each piece of encoded bytes (the last call has `final: true`). */
export class BytesCallbackSink extends EncodingSink {
  readonly name = 'bytes-callback-sink';

  constructor(
    private readonly callback: (bytes: Uint8Array, final: boolean) => void | Promise<void>,
    options: ByteSinkOptions,
  ) {
    super(options);
  }

  protected emit(bytes: Uint8Array, final: boolean): void | Promise<void> {
    return this.callback(bytes, final);
  }
}

function isNodeWritable(target: ByteTarget): target is Writable {
  return typeof (target as Writable).write === 'function' && typeof (target as Writable).on === 'function';
}
