import type { AudioChunk, Planes, Stems } from '../chunk/audio-chunk';
import { makeChunk } from '../chunk/audio-chunk';
import { SluiceError } from '../errors/sluice-error';
import type { Processor } from '../stream/types';

/** Options for {@link GainProcessor}: a linear `gain` or a `gainDb`. */
export type GainOptions = { gain: number; gainDb?: never } | { gainDb: number; gain?: never };

/** Converts decibels to a linear factor. */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/** Converts a linear factor to decibels. */
export function gainToDb(gain: number): number {
  return 20 * Math.log10(gain);
}

function scalePlanes(planes: Planes, gain: number): Float32Array[] {
  const out: Float32Array[] = new Array(planes.length);
  for (let c = 0; c < planes.length; c++) {
    const input = planes[c] as Float32Array;
    const output = new Float32Array(input.length);
    for (let i = 0; i < input.length; i++) output[i] = (input[i] as number) * gain;
    out[c] = output;
  }
  return out;
}

/**
 * Multiplies every sample (and every stem) by a gain, given linearly or in
 * dB, like mlx-audio's `GainProcessor(gain=0.5)`. The gain can change between
 * chunks with {@link GainProcessor.setGain}.
 */
export class GainProcessor implements Processor {
  readonly name = 'gain';
  readonly latencyFrames = 0;
  private factor: number;

  constructor(options: GainOptions | number) {
    this.factor = GainProcessor.toFactor(options);
  }

  /** The current linear gain. */
  get gain(): number {
    return this.factor;
  }

  /** Changes the gain from the next chunk on. */
  setGain(options: GainOptions | number): void {
    this.factor = GainProcessor.toFactor(options);
  }

  process(chunk: AudioChunk): AudioChunk {
    const gain = this.factor;
    if (gain === 1) return chunk;
    let stems: Stems | undefined;
    if (chunk.stems !== undefined) {
      const scaled: Record<string, Float32Array[]> = {};
      for (const [name, planes] of Object.entries(chunk.stems)) scaled[name] = scalePlanes(planes, gain);
      stems = scaled;
    }
    return makeChunk(
      chunk.format,
      scalePlanes(chunk.planes, gain),
      chunk.frames,
      chunk.seq,
      chunk.startFrame,
      chunk.final,
      stems,
      chunk.meta,
    );
  }

  private static toFactor(options: GainOptions | number): number {
    const factor = typeof options === 'number' ? options : (options.gain ?? dbToGain(options.gainDb as number));
    if (!Number.isFinite(factor)) {
      throw new SluiceError('E_INVALID_ARGUMENT', `GainProcessor: gain must be a finite number, got ${String(factor)}`);
    }
    return factor;
  }
}

/** Passes chunks through untouched (useful for tests and as a placeholder). */
export class IdentityProcessor implements Processor {
  readonly name = 'identity';
  readonly latencyFrames = 0;
  process(chunk: AudioChunk): AudioChunk {
    return chunk;
  }
}
