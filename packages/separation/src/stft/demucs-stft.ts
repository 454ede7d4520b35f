import { SluiceError } from '@sluice/core';
import { type FrameLayout, analyse, periodicHann, synthesise } from './spectral-frames';

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
  const data = analyse(planes.map(framedSignal), layout(frames));
  return { channels: planes.length, bins: DEMUCS_BINS, frames, data };
}

/** Frame f of demucs' spectrogram is frame f + 2 of torch.stft on the padded signal. */
function layout(frames: number): FrameLayout {
  return {
    nFft: DEMUCS_NFFT,
    hop: DEMUCS_HOP,
    frames,
    firstFrame: 2,
    bins: DEMUCS_BINS,
    scale: 1 / Math.sqrt(DEMUCS_NFFT),
    window: periodicHann(DEMUCS_NFFT),
  };
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
  const sums = synthesise(data, channels, layout(frames), totalFrames, full);
  const start = DEMUCS_NFFT / 2 + pad;
  return sums.map((sum) => Float32Array.from(sum.subarray(start, start + length)));
}
