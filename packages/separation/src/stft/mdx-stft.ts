import { SluiceError } from '@sluice/core';
import { padReflect } from './demucs-stft';
import { type FrameLayout, analyse, periodicHann, synthesise } from './spectral-frames';

/** The spectrogram shape an MDX-Net model takes (UVR's model data: n_fft, hop, dim_f, dim_t). */
export interface MdxStftConfig {
  nFft: number;
  hop: number;
  /** Frequency bins kept (from bin 0). */
  dimF: number;
  /** Frames per segment. */
  dimT: number;
}

/** Samples one MDX-Net segment covers: hop · (dim_t − 1), which torch.stft (centred) turns into exactly dim_t frames. */
export function mdxSegmentFrames(config: MdxStftConfig): number {
  return config.hop * (config.dimT - 1);
}

function layout(config: MdxStftConfig): FrameLayout {
  return {
    nFft: config.nFft,
    hop: config.hop,
    frames: config.dimT,
    firstFrame: 0,
    bins: config.dimF,
    scale: 1,
    window: periodicHann(config.nFft),
  };
}

/** Checks an MDX configuration (UVR models: n_fft 6144/7680/4096, hop 1024, dim_f 2048/3072, dim_t 256). */
export function checkMdxConfig(config: MdxStftConfig): void {
  const { nFft, hop, dimF, dimT } = config;
  const positive = [nFft, hop, dimF, dimT].every((value) => Number.isInteger(value) && value > 0);
  if (!positive || dimF > nFft / 2 + 1 || hop > nFft || dimT < 2) {
    throw new SluiceError(
      'E_INVALID_ARGUMENT',
      `MDX-Net STFT: need positive integers with dimF ≤ nFft/2 + 1, hop ≤ nFft and dimT ≥ 2; got ${JSON.stringify(config)}`,
    );
  }
}

/**
 * UVR's MDX-Net STFT on one segment of `mdxSegmentFrames` samples:
 * torch.stft centred with reflect padding, periodic Hann, not normalised;
 * bins past `dimF` dropped. Layout [L.re, L.im, R.re, R.im] × dimF × dimT.
 */
export function mdxStft(planes: readonly Float32Array[], config: MdxStftConfig): Float32Array {
  const length = mdxSegmentFrames(config);
  for (const plane of planes) {
    if (plane.length !== length) throw new SluiceError('E_FORMAT', `mdxStft: expected ${length} samples per channel, got ${plane.length}`);
  }
  const half = config.nFft / 2;
  const signals = planes.map((plane) => padReflect(Float64Array.from(plane), Math.floor(half), Math.floor(half)));
  return analyse(signals, layout(config));
}

/** Inverse of {@link mdxStft} (torch.istft, centred): bins past `dimF` are zero; returns `mdxSegmentFrames` samples per channel. */
export function mdxIstft(data: Float32Array, channels: number, config: MdxStftConfig): Float32Array[] {
  const length = mdxSegmentFrames(config);
  const half = Math.floor(config.nFft / 2);
  const full = length + 2 * half;
  const sums = synthesise(data, channels, layout(config), config.dimT, full);
  return sums.map((sum) => Float32Array.from(sum.subarray(half, half + length)));
}
