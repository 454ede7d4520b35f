import { GeneratedSource, type GeneratedSourceOptions } from './generator-source';

/** Options for {@link ToneSource}. */
export interface ToneSourceOptions extends GeneratedSourceOptions {
  /** Frequency in Hz (default 440). */
  frequency?: number;
  /** Peak amplitude, linear (default 0.5). */
  amplitude?: number;
  /** Starting phase in radians (default 0). */
  phase?: number;
}

/**
 * A sine tone of exact length, the same on every channel. Samples are
 * computed from the absolute frame index, so chunk size never changes them.
 */
export class ToneSource extends GeneratedSource {
  readonly name = 'tone';
  readonly frequency: number;
  readonly amplitude: number;
  private readonly phase: number;

  constructor(options: ToneSourceOptions = {}) {
    super(options);
    this.frequency = options.frequency ?? 440;
    this.amplitude = options.amplitude ?? 0.5;
    this.phase = options.phase ?? 0;
  }

  protected fill(planes: Float32Array[], startFrame: number): void {
    const step = (2 * Math.PI * this.frequency) / this.format.sampleRate;
    const first = planes[0] as Float32Array;
    for (let i = 0; i < first.length; i++) first[i] = this.amplitude * Math.sin(step * (startFrame + i) + this.phase);
    for (let c = 1; c < planes.length; c++) (planes[c] as Float32Array).set(first);
  }
}

/** Options for {@link NoiseSource}. */
export interface NoiseSourceOptions extends GeneratedSourceOptions {
  /** Peak amplitude of the uniform white noise (default 0.5). */
  amplitude?: number;
  /** Seed; the same seed gives the same noise (default 1). */
  seed?: number;
}

/** Uniform white noise, independent per channel, reproducible from a seed. */
export class NoiseSource extends GeneratedSource {
  readonly name = 'noise';
  readonly amplitude: number;
  private readonly seed: number;
  private state = 1;

  constructor(options: NoiseSourceOptions = {}) {
    super(options);
    this.amplitude = options.amplitude ?? 0.5;
    this.seed = (options.seed ?? 1) >>> 0 || 1;
  }

  protected override begin(): void {
    this.state = this.seed;
  }

  protected fill(planes: Float32Array[], _startFrame: number): void {
    const scale = (2 * this.amplitude) / 4294967296;
    for (const plane of planes) {
      for (let i = 0; i < plane.length; i++) {
        let x = this.state;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        this.state = x >>> 0;
        plane[i] = this.state * scale - this.amplitude;
      }
    }
  }
}

/** Digital silence of exact length. */
export class SilenceSource extends GeneratedSource {
  readonly name = 'silence';
  protected fill(): void {
    // Planes are allocated zeroed.
  }
}
