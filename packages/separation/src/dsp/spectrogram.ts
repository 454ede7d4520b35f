import { fftPlan, realPairSpectra } from '@sluice/core';

/** A one-sided complex spectrogram of one channel: `re`/`im` are frames × bins, frame-major. */
export interface Spectrogram {
  frames: number;
  bins: number;
  re: Float32Array;
  im: Float32Array;
}

/** What {@link synthesize} turns back into a signal: a spectrogram seen through a mask (0…1 per bin). */
export interface MaskedSpectrogram {
  spec: Spectrogram;
  mask: Float32Array;
}

/** Periodic Hann window; with hop = size / 4 its squares overlap-add to exactly 1.5. */
function hann(size: number): Float64Array {
  return Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
}
const WINDOW_SQUARES_SUM = 1.5;

/** Frames covering a signal of `length` samples padded by one window at each end. */
function frameCount(length: number, size: number): number {
  return Math.ceil((length + size) / (size / 4)) + 1;
}

/**
 * A plain STFT (periodic Hann, hop = size / 4) of each signal, over the
 * signal zero-padded by one window at each end, so every sample is under
 * full overlap and {@link synthesize} reconstructs it. Two real signals go
 * through one complex FFT (core's `realPairSpectra`).
 */
export function spectrograms(signals: readonly Float32Array[], size: number): Spectrogram[] {
  const length = signals[0]?.length ?? 0;
  const hop = size / 4;
  const bins = size / 2 + 1;
  const frames = frameCount(length, size);
  const window = hann(size);
  const plan = fftPlan(size);
  const [x, y] = [new Float64Array(size), new Float64Array(size)];
  const spectra = { xRe: new Float64Array(size), xIm: new Float64Array(size), yRe: new Float64Array(size), yIm: new Float64Array(size) };
  const scratch = { re: new Float64Array(size), im: new Float64Array(size) };
  const out = signals.map(() => ({ frames, bins, re: new Float32Array(frames * bins), im: new Float32Array(frames * bins) }));
  const windowed = (signal: Float32Array, start: number, into: Float64Array) => {
    for (let i = 0; i < size; i++) {
      const at = start + i;
      into[i] = at >= 0 && at < length ? (signal[at] as number) * (window[i] as number) : 0;
    }
    return into;
  };
  for (let pair = 0; pair < signals.length; pair += 2) {
    const second = signals[pair + 1];
    const [X, Y] = [out[pair] as Spectrogram, out[pair + 1]];
    for (let f = 0; f < frames; f++) {
      const start = f * hop - size;
      realPairSpectra(
        plan,
        windowed(signals[pair] as Float32Array, start, x),
        second && windowed(second, start, y),
        spectra,
        scratch,
        bins,
      );
      X.re.set(spectra.xRe.subarray(0, bins), f * bins);
      X.im.set(spectra.xIm.subarray(0, bins), f * bins);
      Y?.re.set(spectra.yRe.subarray(0, bins), f * bins);
      Y?.im.set(spectra.yIm.subarray(0, bins), f * bins);
    }
  }
  return out;
}

/**
 * Weighted overlap-add inverse of {@link spectrograms}, each spectrogram
 * multiplied by its mask on the way (no masked copy is made). Two outputs
 * share one complex inverse FFT (Z = A + iB gives a + ib).
 */
export function synthesize(inputs: readonly MaskedSpectrogram[], length: number, size: number): Float32Array[] {
  const hop = size / 4;
  const half = size / 2;
  const window = hann(size);
  const plan = fftPlan(size);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const outputs = inputs.map(() => new Float32Array(length));
  for (let pair = 0; pair < inputs.length; pair += 2) {
    const a = inputs[pair] as MaskedSpectrogram;
    const b = inputs[pair + 1];
    const [sumA, sumB] = [new Float64Array(length), new Float64Array(b === undefined ? 0 : length)];
    const { frames, bins } = a.spec;
    for (let f = 0; f < frames; f++) {
      const base = f * bins;
      for (let k = 0; k <= half; k++) {
        // Plain locals, not destructuring: this loop runs frames × bins times per output pair.
        const ma = a.mask[base + k] as number;
        const ar = (a.spec.re[base + k] as number) * ma;
        const ai = (a.spec.im[base + k] as number) * ma;
        const mb = b === undefined ? 0 : (b.mask[base + k] as number);
        const br = b === undefined ? 0 : (b.spec.re[base + k] as number) * mb;
        const bi = b === undefined ? 0 : (b.spec.im[base + k] as number) * mb;
        // Z[k] = A + iB; Z[N−k] = conj A + i conj B.
        re[k] = ar - bi;
        im[k] = ai + br;
        if (k > 0 && k < half) {
          re[size - k] = ar + bi;
          im[size - k] = br - ai;
        }
      }
      plan.inverse(re, im);
      const start = f * hop - size;
      const from = Math.max(0, -start);
      const to = Math.min(size, length - start);
      for (let i = from; i < to; i++) {
        const w = window[i] as number;
        sumA[start + i] = (sumA[start + i] as number) + (re[i] as number) * w;
        if (b !== undefined) sumB[start + i] = (sumB[start + i] as number) + (im[i] as number) * w;
      }
    }
    const [outA, outB] = [outputs[pair] as Float32Array, outputs[pair + 1]];
    for (let i = 0; i < length; i++) outA[i] = (sumA[i] as number) / WINDOW_SQUARES_SUM;
    if (outB !== undefined) for (let i = 0; i < length; i++) outB[i] = (sumB[i] as number) / WINDOW_SQUARES_SUM;
  }
  return outputs;
}
