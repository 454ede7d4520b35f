import { SluiceError, validateFormat } from '@sluice/core';
import { FfmpegStreamWriter } from './ffmpeg-writer';
import { type EncodeOptions, type Container, validateEncodeOptions } from './containers';
import { PcmStreamWriter } from './pcm-writers';
import { WasmStreamWriter, wasmUnsupported } from './wasm-writer';
import type { StreamingAudioWriter } from './writer';

/**
 * Which encoder writes a compressed stream: `'wasm'` in this process
 * (mp3 and ogg), `'ffmpeg'` a child process (every format), `'auto'` the one
 * measured cheaper for the format (see {@link AUTO_ENCODER}) when it can
 * write the stream, else ffmpeg.
 */
export type EncoderChoice = 'auto' | 'ffmpeg' | 'wasm';

/**
 * What `'auto'` picks per format, from `pnpm bench writers` (stream-encoders):
 * for 20 concurrent streams the in-process encoders start in about a
 * millisecond instead of tens, use less CPU and no process per stream.
 * Formats not named here have no in-process encoder.
 */
export const AUTO_ENCODER: Readonly<Partial<Record<Container, 'wasm' | 'ffmpeg'>>> = { mp3: 'wasm', ogg: 'wasm' };

/** Options for {@link createWriter}. */
export interface WriterOptions extends EncodeOptions {
  /** The container to write. */
  container: Container;
  /** Sample rate of the audio written. */
  sampleRate: number;
  /** Channel count of the audio written. */
  channels: number;
  /** Stops the encoder (and its process) when aborted. */
  signal?: AbortSignal;
  /** Which encoder (default `'auto'`). */
  encoder?: EncoderChoice;
}

/**
 * A streaming encoder for `wav`, `pcm`, `flac`, `ogg` (Vorbis), `opus` (Ogg
 * Opus), `mp3` or `aac` (ADTS) whose output is meant for a stream (an HTTP
 * response, a socket): `write(chunk)` returns the bytes ready now,
 * `finalize()` the rest. mp3 and ogg are encoded in this process
 * (WebAssembly LAME and libvorbis) unless `encoder: 'ffmpeg'` or the stream
 * needs what only ffmpeg has; the others through an ffmpeg process. For
 * files use {@link FileSink}, which also rewrites headers once the length
 * is known (and can write `m4a`).
 */
export function createWriter(options: WriterOptions): StreamingAudioWriter {
  const { sampleRate, channels } = validateFormat(options, `${options?.container} writer`);
  validateEncodeOptions(options.container, options);
  if (options.container === 'wav' || options.container === 'pcm') {
    return new PcmStreamWriter(options.container, { sampleRate, channels, sampleFormat: options.sampleFormat ?? 's16le' });
  }
  if (options.container === 'm4a') {
    throw new SluiceError(
      'E_UNSUPPORTED',
      'm4a needs a seekable file (its index is written at the end): use FileSink, or stream "aac" (ADTS)',
    );
  }
  const choice = options.encoder ?? 'auto';
  if (choice !== 'auto' && choice !== 'ffmpeg' && choice !== 'wasm')
    throw new SluiceError('E_INVALID_ARGUMENT', `encoder must be 'auto', 'ffmpeg' or 'wasm', got ${String(choice)}`);
  const layout = { sampleRate, channels };
  if (
    choice === 'wasm' ||
    (choice === 'auto' &&
      Object.hasOwn(AUTO_ENCODER, options.container) &&
      AUTO_ENCODER[options.container] === 'wasm' &&
      wasmUnsupported(options.container, layout, options) === undefined)
  ) {
    // The constructor refuses, with the reason, what the in-process encoder cannot write (only reached when asked for by name).
    return new WasmStreamWriter(options.container as 'mp3' | 'ogg', layout, options);
  }
  return new FfmpegStreamWriter(options.container, layout, options);
}
