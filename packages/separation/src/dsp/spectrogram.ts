import { fftPlan } from '@sluice/core';

/** A one-sided complex spectrogram of one channel: `re`/`im` are frames × bins, frame-major. */
export interface Spectrogram {
  frames: number;
  bins: number;
  re: Float32Array;
  im: Float32Array;
}

function hann(size: number): Float64Array {
  return Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
}

/**
 * A plain STFT (periodic Hann, hop = size / 4) over a signal zero-padded by
 * one window at each end, so every sample is covered by full overlap and
 * {@link inverseSpectrogram} reconstructs it.
 */
export function spectrogram(signal: Float32Array, size: number): Spectrogram {
  const hop = size / 4;
  const bins = size / 2 + 1;
  const frames = Math.ceil((signal.length + size) / hop) + 1;
  const window = hann(size);
  const plan = fftPlan(size);
  const out: Spectrogram = { frames, bins, re: new Float32Array(frames * bins), im: new Float32Array(frames * bins) };
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let f = 0; f < frames; f++) {
    const start = f * hop - size;
    for (let i = 0; i < size; i++) {
      const at = start + i;
      re[i] = at >= 0 && at < signal.length ? (signal[at] as number) * (window[i] as number) : 0;
      im[i] = 0;
    }
    plan.forward(re, im);
    out.re.set(re.subarray(0, bins), f * bins);
    out.im.set(im.subarray(0, bins), f * bins);
  }
  return out;
}

/** Weighted overlap-add inverse of {@link spectrogram} (window-square normalised). */
export function inverseSpectrogram(spec: Spectrogram, length: number, size: number): Float32Array {
  const hop = size / 4;
  const window = hann(size);
  const plan = fftPlan(size);
  const sum = new Float64Array(length);
  const weight = new Float64Array(length);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let f = 0; f < spec.frames; f++) {
    for (let k = 0; k < spec.bins; k++) {
      re[k] = spec.re[f * spec.bins + k] as number;
      im[k] = spec.im[f * spec.bins + k] as number;
      if (k > 0 && k < size / 2) {
        re[size - k] = re[k] as number;
        im[size - k] = -(im[k] as number);
      }
    }
    plan.inverse(re, im);
    const start = f * hop - size;
    for (let i = 0; i < size; i++) {
      const at = start + i;
      if (at < 0 || at >= length) continue;
      const w = window[i] as number;
      sum[at] = (sum[at] as number) + (re[i] as number) * w;
      weight[at] = (weight[at] as number) + w * w;
    }
  }
  return Float32Array.from(sum, (value, i) => ((weight[i] as number) > 1e-9 ? value / (weight[i] as number) : 0));
}
