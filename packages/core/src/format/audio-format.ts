import { SluiceError } from '../errors/sluice-error';

/** The shape of a stream of audio: how many frames per second, how many channels. */
export interface AudioFormat {
  /** Frames per second, a positive integer (44100, 48000, 16000, …). */
  readonly sampleRate: number;
  /** Number of channels, a positive integer (1 mono, 2 stereo, …). */
  readonly channels: number;
}

/** The largest channel count Sluice accepts; guards against garbage headers. */
export const MAX_CHANNELS = 64;
/** The largest sample rate Sluice accepts (768 kHz covers every real device). */
export const MAX_SAMPLE_RATE = 768_000;

/**
 * Checks a format where audio enters a package and returns a frozen copy.
 * Throws `E_FORMAT` naming the bad field.
 */
export function validateFormat(format: AudioFormat, where = 'audio format'): AudioFormat {
  if (format === null || typeof format !== 'object') {
    throw new SluiceError('E_FORMAT', `${where}: expected { sampleRate, channels }, got ${String(format)}`);
  }
  const { sampleRate, channels } = format;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > MAX_SAMPLE_RATE) {
    throw new SluiceError(
      'E_FORMAT',
      `${where}: sampleRate must be a positive integer up to ${MAX_SAMPLE_RATE}, got ${String(sampleRate)}`,
      { details: { sampleRate } },
    );
  }
  if (!Number.isInteger(channels) || channels <= 0 || channels > MAX_CHANNELS) {
    throw new SluiceError('E_FORMAT', `${where}: channels must be an integer from 1 to ${MAX_CHANNELS}, got ${String(channels)}`, {
      details: { channels },
    });
  }
  return Object.freeze({ sampleRate, channels });
}

/** True when two formats describe the same stream shape. */
export function sameFormat(a: AudioFormat, b: AudioFormat): boolean {
  return a.sampleRate === b.sampleRate && a.channels === b.channels;
}

/** `44100 Hz stereo`, `16000 Hz mono`, `48000 Hz 6ch`: for messages and logs. */
export function describeFormat(format: AudioFormat): string {
  const layout = format.channels === 1 ? 'mono' : format.channels === 2 ? 'stereo' : `${format.channels}ch`;
  return `${format.sampleRate} Hz ${layout}`;
}
