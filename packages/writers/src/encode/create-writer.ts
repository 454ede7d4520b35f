import { SluiceError, validateFormat } from '@sluice/core';
import { FfmpegStreamWriter } from './ffmpeg-writer';
import { type EncodeOptions, type OutputFormat, validateEncodeOptions } from './formats';
import { PcmStreamWriter } from './pcm-writers';
import type { StreamingAudioWriter } from './writer';

/** Options for {@link createWriter}. */
export interface WriterOptions extends EncodeOptions {
  /** Output format. */
  format: OutputFormat;
  /** Sample rate of the audio written. */
  sampleRate: number;
  /** Channel count of the audio written. */
  channels: number;
  /** Stops the encoder (and its process) when aborted. */
  signal?: AbortSignal;
}

/**
 * A streaming encoder for `wav`, `pcm`, `flac`, `ogg` (Vorbis), `opus` (Ogg
 * Opus), `mp3` or `aac` (ADTS) whose output is meant for a stream (an HTTP
 * response, a socket): `write(chunk)` returns the bytes ready now,
 * `finalize()` the rest. For files use {@link FileSink}, which also rewrites
 * headers once the length is known (and can write `m4a`).
 */
export function createWriter(options: WriterOptions): StreamingAudioWriter {
  const { sampleRate, channels } = validateFormat(options, `${options?.format} writer`);
  validateEncodeOptions(options.format, options);
  if (options.format === 'wav' || options.format === 'pcm') {
    return new PcmStreamWriter(options.format, { sampleRate, channels, sampleFormat: options.sampleFormat ?? 's16le' });
  }
  if (options.format === 'm4a') {
    throw new SluiceError(
      'E_UNSUPPORTED',
      'm4a needs a seekable file (its index is written at the end): use FileSink, or stream "aac" (ADTS)',
    );
  }
  return new FfmpegStreamWriter(options.format, { sampleRate, channels }, options);
}
