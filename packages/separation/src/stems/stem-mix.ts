import { type AudioChunk, type Processor, SluiceError, withChunk } from '@sluice/core';

/** Options for {@link StemMix}. */
export interface StemMixOptions {
  /** Stems to use (default: all the chunk carries). */
  include?: readonly string[];
  /** Stems to leave out (applied after `include`), e.g. `['vocals']` for karaoke. */
  exclude?: readonly string[];
  /** Linear gain per stem (default 1). */
  gains?: Readonly<Record<string, number>>;
  /** Keep the stems on the output chunks (default true), so later stages can still pick them. */
  keepStems?: boolean;
}

/**
 * Replaces each chunk's mix with a weighted sum of chosen stems: karaoke is
 * `new StemMix({ exclude: ['vocals'] })`, a vocal isolation
 * `new StemSelect('vocals')`. Sinks and processors after it see the new mix.
 * Chunks without stems are an `E_INVALID_ARGUMENT` error (put a separator first).
 */
export class StemMix implements Processor {
  readonly name: string = 'stem-mix';
  readonly latencyFrames = 0;

  constructor(private readonly options: StemMixOptions = {}) {
    for (const [stem, gain] of Object.entries(options.gains ?? {})) {
      if (!Number.isFinite(gain)) throw new SluiceError('E_INVALID_ARGUMENT', `StemMix: gain of "${stem}" must be finite, got ${gain}`);
    }
  }

  process(chunk: AudioChunk): AudioChunk {
    const stems = chunk.stems;
    if (stems === undefined) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `${this.name}: chunk ${chunk.seq} carries no stems; put a separation processor before it`,
      );
    }
    const available = Object.keys(stems);
    // Own keys only: a stem named `__proto__` or `toString` is not a stem.
    const missing = (this.options.include ?? []).filter((stem) => !Object.hasOwn(stems, stem));
    if (missing.length > 0) {
      throw new SluiceError('E_INVALID_ARGUMENT', `${this.name}: no stem ${missing.join(', ')} (the chunk has ${available.join(', ')})`);
    }
    const chosen = (this.options.include ?? available).filter((stem) => !(this.options.exclude ?? []).includes(stem));
    const planes = chunk.planes.map(() => new Float32Array(chunk.frames));
    for (const stem of chosen) {
      const gains = this.options.gains;
      const gain = gains !== undefined && Object.hasOwn(gains, stem) ? (gains[stem] as number) : 1;
      const source = stems[stem] as readonly Float32Array[];
      for (let c = 0; c < planes.length; c++) {
        const out = planes[c] as Float32Array;
        const input = source[c] as Float32Array;
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + gain * (input[i] as number);
      }
    }
    return withChunk(chunk, { planes, stems: this.options.keepStems === false ? undefined : stems });
  }
}

/** Keeps one stem as the mix (like mlx-audio's `stem_index`, by name). */
export class StemSelect extends StemMix {
  override readonly name = 'stem-select';

  constructor(stem: string, options: Omit<StemMixOptions, 'include' | 'exclude'> = {}) {
    super({ ...options, include: [stem] });
  }
}
