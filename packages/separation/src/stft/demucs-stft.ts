import { SluiceError, fftPlan } from '@sluice/core';

/** n_fft of HTDemucs' spectral branch. */
export const DEMUCS_NFFT = 4096;
/** Hop of HTDemucs' spectral branch (n_fft / 4). */
export const DEMUCS_HOP = 1024;
/** Frequency bins kept (the Nyquist bin is dropped). */
export const DEMUCS_BINS = DEMUCS_NFFT / 2;

/**
 * A demucs spectrogram in the "complex as channels" layout the split ONNX
 * contract uses: for each audio channel c, a real plane then an imaginary
 * plane (L.re, L.im, R.re, R.im), each `bins × frames`, frame-minor:
 * `data[((2c + part) · bins + bin) · frames + frame]`.
 */
export interface DemucsSpectrogram {
  channels: number;
  bins: number;
  frames: number;
  data: Float32Array;
}

/** Frames demucs produces for `length` samples: ceil(length / hop). */
export function demucsFrames(length: number): number {
  return Math.ceil(length / DEMUCS_HOP);
}

/** PyTorch's "reflect" padding (the edge sample is not repeated). */
function reflect(x: Float64Array, left: number, right: number): Float64Array {
  const n = x.length;
  if (left >= n || right >= n)
    throw new SluiceError('E_INTERNAL', `reflect padding of ${Math.max(left, right)} needs more than ${n} samples`);
  const out = new Float64Array(n + left + right);
  out.set(x, left);
  for (let i = 1; i <= left; i++) out[left - i] = x[i] as number;
  for (let i = 1; i <= right; i++) out[left + n - 1 + i] = x[n - 1 - i] as number;
  return out;
}

/**
 * demucs' `pad1d(x, (left, right), mode="reflect")`: when the input is too
 * short to reflect, zeros are added first (to the right, then the left) so
 * that reflection is possible, exactly as demucs does for short inputs.
 */
export function padReflect(x: Float64Array, left: number, right: number): Float64Array {
  const length = x.length;
  const largest = Math.max(left, right);
  if (length > largest) return reflect(x, left, right);
  const extra = largest - length + 1;
  const extraRight = Math.min(right, extra);
  const extraLeft = extra - extraRight;
  const widened = new Float64Array(length + extra);
  widened.set(x, extraLeft);
  return reflect(widened, left - extraLeft, right - extraRight);
}

let hann: Float64Array | undefined;
/** Periodic Hann window of n_fft (torch.hann_window's default). */
function window(): Float64Array {
  hann ??= Float64Array.from({ length: DEMUCS_NFFT }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / DEMUCS_NFFT));
  return hann;
}

/** demucs' padding of a channel before torch.stft: 3·hop/2 left, up to whole hops + 3·hop/2 right, then stft's own centring. */
function framedSignal(channel: Float32Array): Float64Array {
  const length = channel.length;
  const frames = demucsFrames(length);
  const pad = (DEMUCS_HOP / 2) * 3;
  const padded = padReflect(Float64Array.from(channel), pad, pad + frames * DEMUCS_HOP - length);
  return reflect(padded, DEMUCS_NFFT / 2, DEMUCS_NFFT / 2);
}

/**
 * The spectrogram HTDemucs computes outside its graph in the split export,
 * step by step as demucs does it: reflect-pad 3·hop/2 on the left and up to
 * a whole number of hops (+ 3·hop/2) on the right; torch.stft with n_fft
 * 4096, hop 1024, periodic Hann window, centred with reflect padding,
 * normalised (× 1/√n_fft); drop the Nyquist bin; keep frames 2 … 2 + le.
 * Computed in float64, two channels per complex FFT.
 */
export function demucsStft(planes: readonly Float32Array[]): DemucsSpectrogram {
  const length = planes[0]?.length ?? 0;
  if (length === 0) throw new SluiceError('E_INVALID_ARGUMENT', 'demucsStft: empty input');
  const frames = demucsFrames(length);
  const channels = planes.length;
  const bins = DEMUCS_BINS;
  const data = new Float32Array(channels * 2 * bins * frames);
  const plan = fftPlan(DEMUCS_NFFT);
  const win = window();
  const scale = 1 / Math.sqrt(DEMUCS_NFFT);
  const signals = planes.map(framedSignal);
  const re = new Float64Array(DEMUCS_NFFT);
  const im = new Float64Array(DEMUCS_NFFT);
  for (let c = 0; c < channels; c += 2) {
    const a = signals[c] as Float64Array;
    const b = signals[c + 1];
    for (let f = 0; f < frames; f++) {
      // Frame f of the output is frame f + 2 of torch.stft.
      const start = (f + 2) * DEMUCS_HOP;
      for (let i = 0; i < DEMUCS_NFFT; i++) {
        const w = win[i] as number;
        re[i] = (a[start + i] as number) * w;
        im[i] = b === undefined ? 0 : (b[start + i] as number) * w;
      }
      plan.forward(re, im);
      for (let k = 0; k < bins; k++) {
        const j = (DEMUCS_NFFT - k) & (DEMUCS_NFFT - 1);
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
  return { channels, bins, frames, data };
}

/**
 * Inverse of {@link demucsStft}, as demucs' `_ispec` does it: put back the
 * Nyquist bin (zero) and two empty frames on each side, torch.istft
 * (normalised, centred, window-envelope division) to le·hop + 3·hop samples,
 * then cut `length` samples after the 3·hop/2 padding.
 *
 * Like demucs' own round trip, `demucsIstft(demucsStft(x))` equals x only
 * away from the ends: the frames dropped at each end leave the samples
 * before 3·hop/2 and from le·hop − 3·hop/2 on attenuated, because
 * the window envelope still counts them. demucs' overlap-add gives segment
 * edges little weight; a streaming processor must pad or overlap so that
 * no output sample depends on a segment edge alone.
 */
export function demucsIstft(spectrogram: DemucsSpectrogram, length: number): Float32Array[] {
  const { channels, bins, frames, data } = spectrogram;
  if (bins !== DEMUCS_BINS) throw new SluiceError('E_FORMAT', `demucsIstft: expected ${DEMUCS_BINS} bins, got ${bins}`);
  if (frames !== demucsFrames(length)) {
    throw new SluiceError('E_FORMAT', `demucsIstft: ${frames} frames do not describe ${length} samples (expected ${demucsFrames(length)})`);
  }
  const pad = (DEMUCS_HOP / 2) * 3;
  const totalFrames = frames + 4;
  // torch.istft overlap-adds (totalFrames − 1)·hop + n_fft samples, then removes n_fft/2 from the start.
  const full = (totalFrames - 1) * DEMUCS_HOP + DEMUCS_NFFT;
  const win = window();
  const envelope = new Float64Array(full);
  for (let t = 0; t < totalFrames; t++) {
    for (let i = 0; i < DEMUCS_NFFT; i++) envelope[t * DEMUCS_HOP + i] = (envelope[t * DEMUCS_HOP + i] as number) + (win[i] as number) ** 2;
  }
  const plan = fftPlan(DEMUCS_NFFT);
  const scale = Math.sqrt(DEMUCS_NFFT);
  const re = new Float64Array(DEMUCS_NFFT);
  const im = new Float64Array(DEMUCS_NFFT);
  const out: Float32Array[] = [];
  const sums = Array.from({ length: channels }, () => new Float64Array(full));
  for (let c = 0; c < channels; c += 2) {
    const second = c + 1 < channels;
    for (let f = 0; f < frames; f++) {
      // Hermitian spectra of both channels, packed as A + i·B so one inverse FFT gives a and b.
      re.fill(0);
      im.fill(0);
      for (let k = 0; k < bins; k++) {
        const ar = data[(2 * c * bins + k) * frames + f] as number;
        const ai = data[((2 * c + 1) * bins + k) * frames + f] as number;
        const br = second ? (data[((2 * c + 2) * bins + k) * frames + f] as number) : 0;
        const bi = second ? (data[((2 * c + 3) * bins + k) * frames + f] as number) : 0;
        // Bin k: A[k] + i·B[k]; bin N−k: conj(A[k]) + i·conj(B[k]).
        re[k] = ar - bi;
        im[k] = ai + br;
        if (k > 0) {
          re[DEMUCS_NFFT - k] = ar + bi;
          im[DEMUCS_NFFT - k] = -ai + br;
        }
      }
      plan.inverse(re, im);
      const offset = (f + 2) * DEMUCS_HOP;
      const sa = sums[c] as Float64Array;
      const sb = sums[c + 1];
      for (let i = 0; i < DEMUCS_NFFT; i++) {
        const w = (win[i] as number) * scale;
        sa[offset + i] = (sa[offset + i] as number) + (re[i] as number) * w;
        if (sb !== undefined) sb[offset + i] = (sb[offset + i] as number) + (im[i] as number) * w;
      }
    }
  }
  const start = DEMUCS_NFFT / 2 + pad;
  for (const sum of sums) {
    const plane = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const at = start + i;
      const weight = envelope[at] as number;
      plane[i] = weight > 1e-11 ? (sum[at] as number) / weight : 0;
    }
    out.push(plane);
  }
  return out;
}
