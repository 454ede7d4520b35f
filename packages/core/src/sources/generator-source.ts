import type { AudioChunk } from '../chunk/audio-chunk';
import { allocatePlanes } from '../chunk/audio-chunk';
import { ChunkStamper } from '../chunk/chunk-stamper';
import { type AudioFormat, validateFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import { CHECKED_CHUNKS, type Source, type SyncPullIterator } from '../stream/types';

/** Length and chunking options shared by the synthetic sources. */
export interface GeneratedSourceOptions {
  /** Frames per second (default 44100). */
  sampleRate?: number;
  /** Channel count (default 1). */
  channels?: number;
  /** Duration in seconds; rounded to the nearest frame. Give this or `frames`. */
  seconds?: number;
  /** Exact length in frames. Takes precedence over `seconds`. */
  frames?: number;
  /** Frames per chunk (default 1024). The last chunk may be shorter. */
  chunkFrames?: number;
}

/**
 * Base of the synthetic sources: exact lengths, fixed-size chunks, and a
 * `fill` that writes frames [start, start + n) of every channel.
 */
export abstract class GeneratedSource implements Source {
  readonly format: AudioFormat;
  /** Total length in frames. */
  readonly totalFrames: number;
  /** Frames per chunk. */
  readonly chunkFrames: number;
  abstract readonly name: string;

  constructor(options: GeneratedSourceOptions) {
    this.format = validateFormat({ sampleRate: options.sampleRate ?? 44100, channels: options.channels ?? 1 }, 'source');
    const frames = options.frames ?? (options.seconds === undefined ? undefined : Math.round(options.seconds * this.format.sampleRate));
    if (frames === undefined || !Number.isSafeInteger(frames) || frames < 0) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `source: give a non-negative duration as frames or seconds, got ${String(frames ?? options.seconds)}`,
      );
    }
    const chunkFrames = options.chunkFrames ?? 1024;
    if (!Number.isInteger(chunkFrames) || chunkFrames <= 0) {
      throw new SluiceError('E_INVALID_ARGUMENT', `source: chunkFrames must be a positive integer, got ${String(chunkFrames)}`);
    }
    this.totalFrames = frames;
    this.chunkFrames = chunkFrames;
  }

  /** Duration in seconds. */
  get seconds(): number {
    return this.totalFrames / this.format.sampleRate;
  }

  /** Writes frames [startFrame, startFrame + planes[c].length) into each plane. */
  protected abstract fill(planes: Float32Array[], startFrame: number): void;

  /** Called at the start of every iteration, so a source can be read twice with the same result. */
  protected begin(): void {}

  [Symbol.asyncIterator](): SyncPullIterator<AudioChunk> {
    const stamper = new ChunkStamper(this.format);
    let position = 0;
    let done = false;
    this.begin();
    const nextSync = (): IteratorResult<AudioChunk> => {
      if (done) return { done: true, value: undefined };
      const frames = Math.min(this.chunkFrames, this.totalFrames - position);
      const planes = allocatePlanes(this.format.channels, frames);
      this.fill(planes, position);
      position += frames;
      done = position >= this.totalFrames;
      return { done: false, value: stamper.stamp(planes, done) };
    };
    return {
      nextSync,
      next: async () => nextSync(),
      return: async () => {
        done = true;
        return { done: true, value: undefined };
      },
      [CHECKED_CHUNKS]: true,
    } as SyncPullIterator<AudioChunk>;
  }
}
