import { type PipelineStats, type Processor, type Sink, type Source, Pipeline, SluiceError, iterateByteStream } from '@sluice/core';
import type { EncoderChoice } from '../encode/create-writer';
import { CONTAINERS, type Container, type EncodeOptions, containerFromPath } from '../encode/containers';
import { assertNotAnInput } from '../files/output-guard';
import { BytesCallbackSink } from '../sinks/byte-sinks';
import { FileSink } from '../sinks/file-sink';
import { ByteStreamSource } from '../sources/byte-stream-source';
import { FileSource } from '../sources/file-source';

/** What {@link transcode} reads: a file path, or encoded bytes as they arrive. */
export type TranscodeInput = string | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/**
 * Where {@link transcode} writes: a file path (written under a temporary name
 * and renamed on success), or a callback handed each piece of encoded output
 * as soon as it exists (`final` is true once, on the last call).
 */
export type TranscodeOutput = string | ((bytes: Uint8Array, final: boolean) => void | Promise<void>);

/** Options of {@link transcode}: the encoder's ({@link EncodeOptions}) and the decoder's. */
export interface TranscodeOptions extends EncodeOptions {
  /** The container to write. Default: from the output path; required for a callback output. */
  container?: Container;
  /** Output sample rate in Hz (resampled by ffmpeg while decoding). */
  sampleRate?: number;
  /** Output channel count. */
  channels?: number;
  /** Processors to run between decoding and encoding. */
  processors?: readonly Processor[];
  /** Cancels everything (processes killed; a file output is removed unless `keepPartial`). */
  signal?: AbortSignal;
  /** `'ignore'` keeps the part of a damaged or truncated input that decodes (default `'throw'`: E_DECODE). */
  onDecodeError?: 'throw' | 'ignore';
  /** File outputs: on abort or failure keep what was written, playable, under the final name (default: nothing is left). */
  keepPartial?: boolean;
  /** Callback outputs: which encoder writes compressed containers (see {@link createWriter}). */
  encoder?: EncoderChoice;
}

/** What a transcode reports. */
export interface TranscodeResult {
  /** The pipeline's statistics (speed in × real time among them). */
  stats: PipelineStats;
  /** Encoded bytes handed to a callback output; `NaN` for a file (its size on disk is authoritative). */
  bytes: number;
  /** The container written. */
  container: Container;
}

function containerFor(output: TranscodeOutput, options: TranscodeOptions): Container {
  if (options.container !== undefined) return options.container;
  if (typeof output !== 'string') {
    throw new SluiceError('E_INVALID_ARGUMENT', `transcode to a callback needs { container } (one of ${CONTAINERS.join(', ')})`);
  }
  const container = containerFromPath(output);
  if (container === undefined) {
    throw new SluiceError(
      'E_UNSUPPORTED',
      `cannot tell the container of "${output}" from its extension (known: ${CONTAINERS.join(', ')}); pass { container }`,
    );
  }
  return container;
}

function encodeOptions(options: TranscodeOptions, container: Container) {
  const { sampleFormat, bitrateKbps, quality, tags, signal, keepPartial, encoder } = options;
  return {
    container,
    ...(sampleFormat ? { sampleFormat } : {}),
    ...(bitrateKbps !== undefined ? { bitrateKbps } : {}),
    ...(quality !== undefined ? { quality } : {}),
    ...(tags ? { tags } : {}),
    ...(signal ? { signal } : {}),
    ...(keepPartial ? { keepPartial: true } : {}),
    ...(encoder ? { encoder } : {}),
  };
}

function decodeOptions(options: TranscodeOptions) {
  return {
    ...(options.onDecodeError ? { onDecodeError: options.onDecodeError } : {}),
    ...(options.sampleRate ? { sampleRate: options.sampleRate } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

async function openSource(input: TranscodeInput, options: TranscodeOptions): Promise<Source> {
  try {
    if (typeof input === 'string') return await FileSource.open(input, decodeOptions(options));
    const bytes = Symbol.asyncIterator in input ? (input as AsyncIterable<Uint8Array>) : iterateByteStream(input);
    return await ByteStreamSource.open(bytes, decodeOptions(options));
  } catch (error) {
    throw SluiceError.wrap(error, 'E_DECODE', 'Cannot read the input');
  }
}

/**
 * Decodes `input` (a file or a byte stream) and encodes it to `output` (a
 * file or a callback), streaming: neither side is ever held whole in memory.
 * A file output that is the input (same path, symlink or hardlink) is
 * refused with E_INVALID_ARGUMENT before anything is opened.
 *
 * @example
 * ```ts
 * await transcode('song.flac', 'song.mp3', { bitrateKbps: 192 });
 * await transcode(request, (bytes) => response.write(bytes), { container: 'ogg', quality: 5 });
 * ```
 */
export async function transcode(input: TranscodeInput, output: TranscodeOutput, options: TranscodeOptions = {}): Promise<TranscodeResult> {
  const container = containerFor(output, options);
  const encode = encodeOptions(options, container);
  let bytes = 0;
  let sink: Sink;
  if (typeof output === 'string') {
    const inputs = typeof input === 'string' ? [input] : [];
    // Before anything is opened: writing where we read would destroy the input.
    await assertNotAnInput(output, inputs);
    sink = new FileSink(output, { ...encode, inputs });
  } else {
    sink = new BytesCallbackSink((piece, final) => {
      bytes += piece.length;
      return output(piece, final);
    }, encode);
  }
  const source = await openSource(input, options);
  try {
    const stats = await new Pipeline({
      source,
      processors: options.processors ?? [],
      sink,
      ...(options.signal ? { signal: options.signal } : {}),
    }).wait();
    return { stats, bytes: typeof output === 'string' ? Number.NaN : bytes, container };
  } catch (error) {
    throw SluiceError.wrap(error, 'E_FFMPEG', 'Transcoding failed');
  }
}
