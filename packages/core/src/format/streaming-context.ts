import { type AudioFormat, validateFormat } from './audio-format';
import { SluiceError } from '../errors/sluice-error';

/** Options for {@link StreamingContext}. */
export interface StreamingContextOptions extends AudioFormat {
  /** Frames per chunk (mlx-audio's `chunk_size`). */
  chunkFrames: number;
}

/**
 * The shared description of a stream (sample rate, channels, chunk length in
 * frames) that sources, processors and sinks can agree on, with the derived
 * timings, as mlx-audio's `StreamingContext`.
 */
export class StreamingContext implements AudioFormat {
  readonly sampleRate: number;
  readonly channels: number;
  readonly chunkFrames: number;

  constructor(options: StreamingContextOptions) {
    const format = validateFormat(options, 'StreamingContext');
    if (!Number.isInteger(options.chunkFrames) || options.chunkFrames <= 0) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `StreamingContext: chunkFrames must be a positive integer, got ${String(options.chunkFrames)}`,
      );
    }
    this.sampleRate = format.sampleRate;
    this.channels = format.channels;
    this.chunkFrames = options.chunkFrames;
  }

  /** Duration of one chunk in milliseconds (mlx-audio's `chunk_duration_ms`). */
  get chunkDurationMs(): number {
    return (this.chunkFrames / this.sampleRate) * 1000;
  }

  /** The format part of the context. */
  get format(): AudioFormat {
    return { sampleRate: this.sampleRate, channels: this.channels };
  }

  /** Converts frames to seconds at this context's rate. */
  framesToSeconds(frames: number): number {
    return frames / this.sampleRate;
  }

  /** Converts seconds to a whole number of frames (rounded) at this context's rate. */
  secondsToFrames(seconds: number): number {
    return Math.round(seconds * this.sampleRate);
  }
}
