/**
 * @packageDocumentation
 * `@sluice/writers/audiox`: the entry points of audiox (`audioWithStreamInput`,
 * `audioWithStreamOut`, `audioWithStreamInputAndOut`) in their own option
 * names (`codec`, `bitrate: '192k'`, `metadata`, `onError`,
 * `onProcessDataFlushed` / `onProcessDataEnd`), for code ported from it.
 * Each is a thin mapping onto {@link transcode} of `@sluice/writers`; new
 * code should call that directly, in the package's one vocabulary
 * (`container`, `bitrateKbps`, `tags`).
 */
import { type SampleFormat, SluiceError } from '@sluice/core';
import '../errors';
import type { AudioTags, Container } from '../encode/containers';
import { type TranscodeInput, type TranscodeOptions, type TranscodeResult, transcode } from '../transcode/transcode';

/** The audiox option names, each mapped onto {@link TranscodeOptions}. */
export interface AudioxOptions
  extends Pick<TranscodeOptions, 'sampleRate' | 'channels' | 'quality' | 'processors' | 'signal' | 'onDecodeError' | 'keepPartial'> {
  /** Output codec: a container, `vorbis` (→ ogg) or `pcm_s16le`/`pcm_f32le` (→ pcm with that sample format). Default: from the output path, else mp3. */
  codec?: Container | 'vorbis' | 'pcm_s16le' | 'pcm_f32le';
  /** Bitrate, as `'192k'` or a number of kbit/s (→ `bitrateKbps`). */
  bitrate?: string | number;
  /** Sample format of wav, pcm and flac output (→ `sampleFormat`). */
  sampleFormat?: SampleFormat;
  /** Tags for the output (→ `tags`). */
  metadata?: AudioTags;
  /** Called with the error before the promise rejects with it. */
  onError?: (error: SluiceError) => void;
}

/** Callbacks of the stream-out entry points. */
export interface StreamOutCallbacks {
  /** Each piece of encoded output as soon as it exists. */
  onProcessDataFlushed?: (data: Uint8Array) => void | Promise<void>;
  /** Once at the end; with the whole output only when `collect` is true (otherwise nothing is kept in memory). */
  onProcessDataEnd?: (data?: Uint8Array) => void | Promise<void>;
  /** Keep the whole output to hand to onProcessDataEnd (default false). */
  collect?: boolean;
}

function bitrateKbps(bitrate: string | number | undefined): number | undefined {
  if (bitrate === undefined || typeof bitrate === 'number') return bitrate;
  const match = /^(\d+(?:\.\d+)?)\s*(k|kbps|kb\/s)?$/i.exec(bitrate.trim());
  if (!match) throw new SluiceError('E_INVALID_ARGUMENT', `bitrate "${bitrate}" is not understood; use "192k" or a number of kbit/s`);
  return Number(match[1]);
}

/** The {@link TranscodeOptions} an audiox option set means; a file output without a codec takes its container from the path. */
function fromAudioxOptions(options: AudioxOptions, toFile: boolean): TranscodeOptions {
  const { codec, bitrate, metadata, onError: _onError, ...rest } = options;
  const mapped: TranscodeOptions = { ...rest };
  if (codec === 'vorbis') mapped.container = 'ogg';
  else if (codec === 'pcm_s16le' || codec === 'pcm_f32le') {
    mapped.container = 'pcm';
    mapped.sampleFormat = codec === 'pcm_s16le' ? 's16le' : 'f32le';
  } else if (codec !== undefined) mapped.container = codec;
  else if (!toFile) mapped.container = 'mp3';
  const kbps = bitrateKbps(bitrate);
  if (kbps !== undefined) mapped.bitrateKbps = kbps;
  if (metadata !== undefined) mapped.tags = metadata;
  return mapped;
}

async function reporting(options: AudioxOptions, run: () => Promise<TranscodeResult>): Promise<TranscodeResult> {
  try {
    return await run();
  } catch (error) {
    const failure = SluiceError.wrap(error, 'E_FFMPEG', 'Transcoding failed');
    options.onError?.(failure);
    throw failure;
  }
}

function callbackOutput(callbacks: StreamOutCallbacks) {
  const kept: Uint8Array[] = [];
  return async (bytes: Uint8Array, final: boolean) => {
    if (bytes.length > 0) {
      if (callbacks.collect) kept.push(bytes);
      await callbacks.onProcessDataFlushed?.(bytes);
    }
    if (final) await callbacks.onProcessDataEnd?.(callbacks.collect ? Buffer.concat(kept) : undefined);
  };
}

/** Decodes bytes from a stream and writes them to a file in the container its extension (or `codec`) names. */
export function audioWithStreamInput(
  input: Exclude<TranscodeInput, string>,
  outPath: string,
  options: AudioxOptions = {},
): Promise<TranscodeResult> {
  return reporting(options, async () => transcode(input, outPath, fromAudioxOptions(options, true)));
}

/** Decodes a file and streams the encoded output to callbacks as it is produced. */
export function audioWithStreamOut(inPath: string, callbacks: StreamOutCallbacks, options: AudioxOptions = {}): Promise<TranscodeResult> {
  return reporting(options, async () => transcode(inPath, callbackOutput(callbacks), fromAudioxOptions(options, false)));
}

/** Decodes bytes from a stream and streams the encoded output to callbacks. */
export function audioWithStreamInputAndOut(
  input: Exclude<TranscodeInput, string>,
  callbacks: StreamOutCallbacks,
  options: AudioxOptions = {},
): Promise<TranscodeResult> {
  return reporting(options, async () => transcode(input, callbackOutput(callbacks), fromAudioxOptions(options, false)));
}
