import { SluiceError } from '@sluice/core';
import type { SeparationModel, StemPlanes } from '../model/types';
import { medianAlongFrequency, medianAlongTime } from './median';
import { type Spectrogram, inverseSpectrogram, spectrogram } from './spectrogram';

/** Options for {@link DspSeparator}. */
export interface DspSeparatorOptions {
  /** Sample rate of the audio (default 44100). */
  sampleRate?: number;
  /** Upper edge of the bass band in Hz (default 160). */
  bassCutoffHz?: number;
  /** FFT size (default 2048 at 44.1 kHz). */
  fftSize?: number;
  /** Window the streaming processor feeds at once, in frames (default 10 s). Longer windows cost more memory, not quality. */
  segmentFrames?: number;
}

/** The four stems, in demucs' order. */
export const DSP_STEMS = ['drums', 'bass', 'other', 'vocals'] as const;

/**
 * A source separator that needs no model weights, the embedded default:
 * - bass: the band below `bassCutoffHz`;
 * - drums: the percussive part of a harmonic/percussive median-filter split
 *   (Fitzgerald 2010) above the bass band;
 * - vocals: the harmonic part above the bass band that is centre-panned
 *   (equal in left and right) and inside the voice band;
 * - other: the mixture minus the three, so the stems always sum to the
 *   mixture exactly.
 * Soft masks on a mid/side-aware STFT; quality is modest and measured in the tests.
 */
export class DspSeparator implements SeparationModel {
  readonly name = 'dsp';
  readonly stems = DSP_STEMS;
  readonly channels = 2;
  readonly sampleRate: number;
  readonly segmentFrames: number;
  /** The DSP split is exact on raw audio (stems sum to the mix): no normalisation. */
  readonly normalizedInput = false;
  private readonly bassCutoffHz: number;
  private readonly fftSize: number;

  constructor(options: DspSeparatorOptions = {}) {
    this.sampleRate = options.sampleRate ?? 44100;
    this.bassCutoffHz = options.bassCutoffHz ?? 160;
    this.fftSize = options.fftSize ?? 2048;
    this.segmentFrames = options.segmentFrames ?? 10 * this.sampleRate;
    for (const [key, value] of Object.entries({
      sampleRate: this.sampleRate,
      bassCutoffHz: this.bassCutoffHz,
      segmentFrames: this.segmentFrames,
    })) {
      if (!(Number.isFinite(value) && value > 0))
        throw new SluiceError('E_INVALID_ARGUMENT', `DspSeparator: ${key} must be positive, got ${value}`);
    }
    if (!Number.isInteger(this.fftSize) || this.fftSize < 64 || (this.fftSize & (this.fftSize - 1)) !== 0) {
      throw new SluiceError('E_INVALID_ARGUMENT', `DspSeparator: fftSize must be a power of two ≥ 64, got ${this.fftSize}`);
    }
  }

  /** {@link SeparationModel.infer}: separates one window, in this thread. */
  async infer(window: Float32Array[]): Promise<StemPlanes> {
    return { ...this.separate(window) };
  }

  /** Nothing to release. */
  async close(): Promise<void> {}

  /** Separates stereo (or mono) planes into the four stems, each with the input's channel count. */
  separate(planes: readonly Float32Array[]): Record<(typeof DSP_STEMS)[number], Float32Array[]> {
    const channels = planes.length;
    const length = planes[0]?.length ?? 0;
    if (channels === 0 || length === 0) throw new SluiceError('E_INVALID_ARGUMENT', 'DspSeparator: empty input');
    const size = this.fftSize;
    const specs = planes.map((plane) => spectrogram(plane, size));
    const { frames, bins } = specs[0] as Spectrogram;
    // Magnitudes of the mid signal drive the harmonic/percussive split.
    const magnitude = new Float32Array(frames * bins);
    const centre = new Float32Array(frames * bins);
    for (let i = 0; i < magnitude.length; i++) {
      let re = 0;
      let im = 0;
      let sumAbs = 0;
      for (const spec of specs) {
        re += spec.re[i] as number;
        im += spec.im[i] as number;
        sumAbs += Math.hypot(spec.re[i] as number, spec.im[i] as number);
      }
      const mid = Math.hypot(re, im);
      magnitude[i] = mid / channels;
      // 1 when all channels agree in phase and level (centre-panned), towards 0 when they differ.
      centre[i] = sumAbs > 1e-12 ? mid / sumAbs : 0;
    }
    const harmonic = medianAlongTime(magnitude, frames, bins, 17);
    const percussive = medianAlongFrequency(magnitude, frames, bins, 17);
    const binHz = this.sampleRate / size;
    const masks = {
      drums: new Float32Array(frames * bins),
      bass: new Float32Array(frames * bins),
      vocals: new Float32Array(frames * bins),
    };
    for (let f = 0; f < frames; f++) {
      for (let k = 0; k < bins; k++) {
        const i = f * bins + k;
        const hz = k * binHz;
        const bass =
          hz < this.bassCutoffHz ? 1 : hz < this.bassCutoffHz * 1.5 ? 1 - (hz - this.bassCutoffHz) / (this.bassCutoffHz * 0.5) : 0;
        const h = (harmonic[i] as number) ** 2;
        const p = (percussive[i] as number) ** 2;
        const percussiveShare = h + p > 1e-20 ? p / (h + p) : 0;
        const voiceBand = hz > 180 && hz < 7000 ? 1 : 0;
        masks.bass[i] = bass;
        masks.drums[i] = (1 - bass) * percussiveShare;
        masks.vocals[i] = (1 - bass) * (1 - percussiveShare) * voiceBand * (centre[i] as number) ** 8;
      }
    }
    const apply = (mask: Float32Array) =>
      specs.map((spec) => {
        const masked: Spectrogram = { frames, bins, re: new Float32Array(spec.re.length), im: new Float32Array(spec.im.length) };
        for (let i = 0; i < mask.length; i++) {
          masked.re[i] = (spec.re[i] as number) * (mask[i] as number);
          masked.im[i] = (spec.im[i] as number) * (mask[i] as number);
        }
        return inverseSpectrogram(masked, length, size);
      });
    const drums = apply(masks.drums);
    const bass = apply(masks.bass);
    const vocals = apply(masks.vocals);
    // The remainder, in the time domain: the four stems sum to the input exactly.
    const other = planes.map((plane, c) =>
      Float32Array.from(
        plane,
        (v, i) =>
          v -
          ((drums[c] as Float32Array)[i] as number) -
          ((bass[c] as Float32Array)[i] as number) -
          ((vocals[c] as Float32Array)[i] as number),
      ),
    );
    return { drums, bass, other, vocals };
  }
}
