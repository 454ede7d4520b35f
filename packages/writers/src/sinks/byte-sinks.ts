import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { type AudioChunk, type AudioFormat, type Sink, SluiceError, stemPlanes, writeToNode } from '@sluice/core';
import { type EncoderChoice, createWriter } from '../encode/create-writer';
import type { EncodeOptions, Container } from '../encode/containers';
import type { StreamingAudioWriter } from '../encode/writer';

/** Options for the encoding byte sinks. */
export interface ByteSinkOptions extends EncodeOptions {
  /** The container to write. */
  container: Container;
  /** Encode this stem instead of the mix. */
  stem?: string;
  /** Stops the encoder when aborted. */
  signal?: AbortSignal;
  /** Which encoder writes compressed formats (default `'auto'`: in process for mp3 and ogg; see {@link createWriter}). */
  encoder?: EncoderChoice;
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
    const planes = this.options.stem === undefined ? chunk.planes : stemPlanes(chunk, this.options.stem);
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

  /**
   * @param options.end - end the target when the stream ends (default true).
   * @param options.writeTimeoutMs - longest wait for a Node target to drain
   *   (a reader that stopped reading) before the target is destroyed and the
   *   stream fails with `E_TIMEOUT`; default: no limit.
   */
  constructor(
    private readonly target: ByteTarget,
    options: ByteSinkOptions & { end?: boolean; writeTimeoutMs?: number },
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
    const { writeTimeoutMs } = this.options as { writeTimeoutMs?: number };
    if (bytes.length > 0) await writeToNode(writable, bytes, writeTimeoutMs === undefined ? {} : { timeoutMs: writeTimeoutMs });
    if (final && (this.options as { end?: boolean }).end !== false) {
      writable.end();
      // Resolves on finish; a target closed early (client gone) is not an error once everything was handed over.
      if (!writable.writableFinished) await finished(writable).catch(() => {});
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
