import {
  type PipelineStats,
  type Processor,
  type SampleFormat,
  type Sink,
  type Source,
  Pipeline,
  SluiceError,
  iterateByteStream,
} from '@sluice/core';
import { type AudioTags, OUTPUT_FORMATS, type OutputFormat, formatFromPath } from '../encode/formats';
import { assertNotAnInput } from '../files/output-guard';
import { BytesCallbackSink } from '../sinks/byte-sinks';
import { FileSink } from '../sinks/file-sink';
import { ByteStreamSource } from '../sources/byte-stream-source';
import { FileSource } from '../sources/file-source';

/** Options of the transcode helpers (the audiox option names, in Node's shape). */
export interface TranscodeOptions {
  /** Output codec/format: wav, pcm, flac, ogg (or vorbis), opus, mp3, aac, m4a. Default: from the output path, else mp3. */
  codec?: OutputFormat | 'vorbis' | 'pcm_s16le' | 'pcm_f32le';
  /** Bitrate, as `'192k'` or a number of kbit/s. */
  bitrate?: string | number;
  /** Output sample rate (resampled by ffmpeg while decoding). */
  sampleRate?: number;
  /** Output channel count. */
  channels?: number;
  /** Samples of wav, pcm and flac output (see EncodeOptions.sampleFormat); `pcm_s16le`/`pcm_f32le` codecs set it too. */
  sampleFormat?: SampleFormat;
  /** VBR quality (see EncodeOptions.quality). */
  quality?: number;
  /** Tags for the output. */
  metadata?: AudioTags;
  /** Processors to run between decoding and encoding. */
  processors?: readonly Processor[];
  /** Called with the error before the promise rejects with it. */
  onError?: (error: SluiceError) => void;
  /** Cancels everything (processes killed; a file output is removed unless `keepPartial`). */
  signal?: AbortSignal;
  /** `'ignore'` keeps the part of a damaged or truncated input that decodes (default `'throw'`: E_DECODE). */
  onDecodeError?: 'throw' | 'ignore';
  /** File outputs: on abort or failure keep what was written, playable, under the final name (default: nothing is left). */
  keepPartial?: boolean;
}

/** Callbacks for the stream-out helpers. */
export interface StreamOutCallbacks {
  /** Each piece of encoded output as soon as it exists. */
  onProcessDataFlushed?: (data: Uint8Array) => void | Promise<void>;
  /** Once at the end; with the whole output only when `collect` is true (otherwise nothing is kept in memory). */
  onProcessDataEnd?: (data?: Uint8Array) => void | Promise<void>;
  /** Keep the whole output to hand to onProcessDataEnd (default false). */
  collect?: boolean;
}

/** What a transcode reports. */
export interface TranscodeResult {
  stats: PipelineStats;
  /** Encoded bytes produced (stream outputs) or written (files: the file size is authoritative). */
  bytes: number;
  format: OutputFormat;
}

type ByteInput = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

function outputFormat(options: TranscodeOptions, path?: string): { format: OutputFormat; sampleFormat?: SampleFormat } {
  const codec = options.codec;
  if (codec === 'vorbis') return { format: 'ogg' };
  if (codec === 'pcm_s16le') return { format: 'pcm', sampleFormat: 's16le' };
  if (codec === 'pcm_f32le') return { format: 'pcm', sampleFormat: 'f32le' };
  if (codec !== undefined) return { format: codec };
  if (path === undefined) return { format: 'mp3' };
  const format = formatFromPath(path);
  if (format === undefined) {
    throw new SluiceError(
      'E_UNSUPPORTED',
      `cannot tell the output format of "${path}" from its extension (known: ${OUTPUT_FORMATS.join(', ')}); name the codec`,
    );
  }
  return { format };
}

function bitrateKbps(bitrate: string | number | undefined): number | undefined {
  if (bitrate === undefined) return undefined;
  if (typeof bitrate === 'number') return bitrate;
  const match = /^(\d+(?:\.\d+)?)\s*(k|kbps|kb\/s)?$/i.exec(bitrate.trim());
  if (!match) throw new SluiceError('E_INVALID_ARGUMENT', `bitrate "${bitrate}" is not understood; use "192k" or a number of kbit/s`);
  return Number(match[1]);
}

function encodeOptions(options: TranscodeOptions, path?: string) {
  const { format, sampleFormat = options.sampleFormat } = outputFormat(options, path);
  const rate = bitrateKbps(options.bitrate);
  return {
    format,
    ...(sampleFormat ? { sampleFormat } : {}),
    ...(rate !== undefined ? { bitrateKbps: rate } : {}),
    ...(options.quality !== undefined ? { quality: options.quality } : {}),
    ...(options.metadata ? { tags: options.metadata } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.keepPartial ? { keepPartial: true } : {}),
  };
}

function bytesOf(input: ByteInput): AsyncIterable<Uint8Array> {
  return Symbol.asyncIterator in input ? (input as AsyncIterable<Uint8Array>) : iterateByteStream(input as ReadableStream<Uint8Array>);
}

async function runTranscode(
  source: Source,
  sink: Sink,
  options: TranscodeOptions,
  format: OutputFormat,
  counted: () => number,
): Promise<TranscodeResult> {
  try {
    const stats = await new Pipeline({
      source,
      processors: options.processors ?? [],
      sink,
      ...(options.signal ? { signal: options.signal } : {}),
    }).wait();
    return { stats, bytes: counted(), format };
  } catch (error) {
    const failure = SluiceError.wrap(error, 'E_FFMPEG', 'Transcoding failed');
    options.onError?.(failure);
    throw failure;
  }
}

function decodeOptions(options: TranscodeOptions) {
  return {
    ...(options.onDecodeError ? { onDecodeError: options.onDecodeError } : {}),
    ...(options.sampleRate ? { sampleRate: options.sampleRate } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

async function openInput<T>(open: () => Promise<T>, options: TranscodeOptions): Promise<T> {
  try {
    return await open();
  } catch (error) {
    const failure = SluiceError.wrap(error, 'E_DECODE', 'Cannot read the input');
    options.onError?.(failure);
    throw failure;
  }
}

/** Decodes bytes from a stream and writes them to a file in the format its extension (or `codec`) names. */
export async function audioWithStreamInput(input: ByteInput, outPath: string, options: TranscodeOptions = {}): Promise<TranscodeResult> {
  const encode = encodeOptions(options, outPath);
  const source = await openInput(() => ByteStreamSource.open(bytesOf(input), decodeOptions(options)), options);
  const sink = new FileSink(outPath, encode);
  return runTranscode(source, sink, options, encode.format, () => Number.NaN);
}

function callbackSink(callbacks: StreamOutCallbacks, encode: ReturnType<typeof encodeOptions>) {
  const kept: Uint8Array[] = [];
  let total = 0;
  const sink = new BytesCallbackSink(async (bytes, final) => {
    total += bytes.length;
    if (bytes.length > 0) {
      if (callbacks.collect) kept.push(bytes);
      await callbacks.onProcessDataFlushed?.(bytes);
    }
    if (final) await callbacks.onProcessDataEnd?.(callbacks.collect ? Buffer.concat(kept) : undefined);
  }, encode);
  return { sink, count: () => total };
}

/** Decodes a file and streams the encoded output to callbacks as it is produced. */
export async function audioWithStreamOut(
  inPath: string,
  callbacks: StreamOutCallbacks,
  options: TranscodeOptions = {},
): Promise<TranscodeResult> {
  const encode = encodeOptions(options);
  const source = await openInput(() => FileSource.open(inPath, decodeOptions(options)), options);
  const { sink, count } = callbackSink(callbacks, encode);
  return runTranscode(source, sink, options, encode.format, count);
}

/** Decodes bytes from a stream and streams the encoded output to callbacks. */
export async function audioWithStreamInputAndOut(
  input: ByteInput,
  callbacks: StreamOutCallbacks,
  options: TranscodeOptions = {},
): Promise<TranscodeResult> {
  const encode = encodeOptions(options);
  const source = await openInput(() => ByteStreamSource.open(bytesOf(input), decodeOptions(options)), options);
  const { sink, count } = callbackSink(callbacks, encode);
  return runTranscode(source, sink, options, encode.format, count);
}

/** File to file, streaming (never the whole file in memory). */
export async function transcodeFile(inPath: string, outPath: string, options: TranscodeOptions = {}): Promise<TranscodeResult> {
  const encode = encodeOptions(options, outPath);
  // Before anything is opened: writing where we read would destroy the input.
  await assertNotAnInput(outPath, [inPath]);
  const source = await openInput(() => FileSource.open(inPath, decodeOptions(options)), options);
  return runTranscode(source, new FileSink(outPath, { ...encode, inputs: [inPath] }), options, encode.format, () => Number.NaN);
}
