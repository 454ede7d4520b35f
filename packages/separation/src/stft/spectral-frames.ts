import { type ComplexFft, anySizeFftPlan } from '@sluice/core';

/** How frames are cut from a padded signal and laid out in a "complex as channels" spectrogram. */
export interface FrameLayout {
  nFft: number;
  hop: number;
  /** Frames kept in the spectrogram. */
  frames: number;
  /** Frame f of the spectrogram starts at sample (f + firstFrame) · hop of the padded signal. */
  firstFrame: number;
  /** Frequency bins kept (from bin 0). */
  bins: number;
  /** Factor applied to the forward transform (the inverse divides by it). */
  scale: number;
  /** The analysis (and synthesis) window, nFft long. */
  window: Float64Array;
}

const windows = new Map<number, Float64Array>();

/** Periodic Hann window (torch.hann_window's default). */
export function periodicHann(size: number): Float64Array {
  let window = windows.get(size);
  if (window === undefined) {
    window = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
    windows.set(size, window);
  }
  return window;
}

/**
 * Windowed FFTs of padded real signals into the layout split ONNX models
 * use: for each channel c a real plane then an imaginary plane,
 * `data[((2c + part) · bins + bin) · frames + frame]`. Two channels share
 * one complex FFT.
 */
export function analyse(signals: readonly Float64Array[], layout: FrameLayout): Float32Array {
  const { nFft, hop, frames, firstFrame, bins, scale, window } = layout;
  const channels = signals.length;
  const data = new Float32Array(channels * 2 * bins * frames);
  const fft: ComplexFft = anySizeFftPlan(nFft);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  for (let c = 0; c < channels; c += 2) {
    const a = signals[c] as Float64Array;
    const b = signals[c + 1];
    for (let f = 0; f < frames; f++) {
      const start = (f + firstFrame) * hop;
      for (let i = 0; i < nFft; i++) {
        const w = window[i] as number;
        re[i] = (a[start + i] as number) * w;
        im[i] = b === undefined ? 0 : (b[start + i] as number) * w;
      }
      fft.forward(re, im);
      for (let k = 0; k < bins; k++) {
        const j = k === 0 ? 0 : nFft - k;
        const zr = re[k] as number;
        const zi = im[k] as number;
        const cr = re[j] as number;
        const ci = -(im[j] as number);
        // Split the two real channels packed as a + i·b.
        data[(2 * c * bins + k) * frames + f] = ((zr + cr) / 2) * scale;
        data[((2 * c + 1) * bins + k) * frames + f] = ((zi + ci) / 2) * scale;
        if (b !== undefined) {
          data[((2 * c + 2) * bins + k) * frames + f] = ((zi - ci) / 2) * scale;
          data[((2 * c + 3) * bins + k) * frames + f] = ((cr - zr) / 2) * scale;
        }
      }
    }
  }
  return data;
}

/**
 * The inverse of {@link analyse} as torch.istft computes it: inverse FFTs of
 * the Hermitian spectra (bins past `bins` are zero), windowed and
 * overlap-added into `length` samples of the padded signal, divided by the
 * summed squared window of `envelopeFrames` frames starting at frame 0
 * (frames outside the spectrogram count in the envelope as torch counts
 * the zero frames demucs adds). Samples whose envelope is below 1e-11 are 0.
 */
export function synthesise(
  data: Float32Array,
  channels: number,
  layout: FrameLayout,
  envelopeFrames: number,
  length: number,
): Float64Array[] {
  const { nFft, hop, frames, firstFrame, bins, scale, window } = layout;
  const envelope = new Float64Array(length);
  for (let t = 0; t < envelopeFrames; t++) {
    for (let i = 0; i < nFft && t * hop + i < length; i++)
      envelope[t * hop + i] = (envelope[t * hop + i] as number) + (window[i] as number) ** 2;
  }
  const fft = anySizeFftPlan(nFft);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  const sums = Array.from({ length: channels }, () => new Float64Array(length));
  for (let c = 0; c < channels; c += 2) {
    const second = c + 1 < channels;
    for (let f = 0; f < frames; f++) {
      // Hermitian spectra of both channels, packed as A + i·B so that one inverse FFT gives a and b.
      re.fill(0);
      im.fill(0);
      for (let k = 0; k < bins; k++) {
        // torch.istft inverts a one-sided spectrum with a real inverse FFT (C2R), which ignores the imaginary
        // part of the DC bin (and of Nyquist): so must we, or each channel's Im(DC) leaks into the other
        // through the packed A + i·B transform. A trained model's output has non-zero Im(DC).
        const real = k === 0 || 2 * k === nFft;
        const ar = data[(2 * c * bins + k) * frames + f] as number;
        const ai = real ? 0 : (data[((2 * c + 1) * bins + k) * frames + f] as number);
        const br = second ? (data[((2 * c + 2) * bins + k) * frames + f] as number) : 0;
        const bi = second && !real ? (data[((2 * c + 3) * bins + k) * frames + f] as number) : 0;
        re[k] = ar - bi;
        im[k] = ai + br;
        if (k > 0 && 2 * k !== nFft) {
          re[nFft - k] = ar + bi;
          im[nFft - k] = -ai + br;
        }
      }
      fft.inverse(re, im);
      const offset = (f + firstFrame) * hop;
      const sa = sums[c] as Float64Array;
      const sb = sums[c + 1];
      for (let i = 0; i < nFft && offset + i < length; i++) {
        const w = (window[i] as number) / scale;
        sa[offset + i] = (sa[offset + i] as number) + (re[i] as number) * w;
        if (sb !== undefined) sb[offset + i] = (sb[offset + i] as number) + (im[i] as number) * w;
      }
    }
  }
  for (const sum of sums) {
    for (let i = 0; i < length; i++) {
      const weight = envelope[i] as number;
      sum[i] = weight > 1e-11 ? (sum[i] as number) / weight : 0;
    }
  }
  return sums;
}
