import { seededRandom } from '@sluice/config/test-helpers';
import { describe, expect, it } from 'vitest';
import { DEMUCS_BINS, DEMUCS_HOP, DEMUCS_NFFT, demucsFrames, demucsIstft, demucsStft, mdxIstft, mdxStft, padReflect } from '../src/index';

const noise = (length: number, seed: number) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random() - 0.5);
};

/** Band-limited noise: 40 random tones below 0.45 × the sample rate (demucs drops the Nyquist bin, so content there cannot come back). */
const bandLimited = (length: number, seed: number) => {
  const random = seededRandom(seed);
  const tones = Array.from({ length: 40 }, () => ({ f: random() * 0.45, phase: random() * 2 * Math.PI, a: 0.02 + 0.02 * random() }));
  return Float32Array.from({ length }, (_, i) => tones.reduce((sum, t) => sum + t.a * Math.sin(2 * Math.PI * t.f * i + t.phase), 0));
};

/** Reflect index as PyTorch defines it, written independently of the implementation. */
function reflectIndex(i: number, n: number): number {
  let j = i;
  while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
  return j;
}

/** The spectrogram value from the definitions alone: demucs padding, torch centring, periodic Hann, normalised DFT. */
function naiveBin(x: Float32Array, frame: number, bin: number): [number, number] {
  const length = x.length;
  const le = Math.ceil(length / DEMUCS_HOP);
  const pad = 1536;
  // Assumes length > pad so no extra zeros are needed (the tests keep to that here).
  const padded = Array.from(
    { length: length + pad + (pad + le * DEMUCS_HOP - length) },
    (_, i) => x[reflectIndex(i - pad, length)] as number,
  );
  const centred = (i: number) => padded[reflectIndex(i - DEMUCS_NFFT / 2, padded.length)] as number;
  let re = 0;
  let im = 0;
  const start = (frame + 2) * DEMUCS_HOP;
  for (let n = 0; n < DEMUCS_NFFT; n++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / DEMUCS_NFFT);
    const value = centred(start + n) * w;
    re += value * Math.cos((-2 * Math.PI * bin * n) / DEMUCS_NFFT);
    im += value * Math.sin((-2 * Math.PI * bin * n) / DEMUCS_NFFT);
  }
  return [re / 64, im / 64];
}

describe('demucs STFT', () => {
  it('matches a naive DFT of demucs’ framing to 1e-4', () => {
    const left = noise(5000, 1);
    const right = noise(5000, 2);
    const spec = demucsStft([left, right]);
    expect(spec.frames).toBe(5);
    for (const [frame, bin] of [
      [0, 0],
      [0, 1],
      [2, 100],
      [4, 2047],
      [3, 1000],
    ] as const) {
      for (const [c, x] of [
        [0, left],
        [1, right],
      ] as const) {
        const [re, im] = naiveBin(x, frame, bin);
        expect(spec.data[(2 * c * DEMUCS_BINS + bin) * spec.frames + frame]).toBeCloseTo(re, 4);
        expect(spec.data[((2 * c + 1) * DEMUCS_BINS + bin) * spec.frames + frame]).toBeCloseTo(im, 4);
      }
    }
  });

  it.each([343980, 44100, 4096, 1025, 1024, 777, 100, 1])('frames = ceil(length / hop) for %i samples, as demucs frames it', (length) => {
    const spec = demucsStft([noise(length, length), noise(length, length + 1)]);
    expect(spec.frames).toBe(demucsFrames(length));
    expect(spec.frames).toBe(Math.ceil(length / 1024));
    expect(spec.data.length).toBe(4 * 2048 * spec.frames);
  });

  it('the segment of the split contract gives [4, 2048, 336]', () => {
    const spec = demucsStft([new Float32Array(343980), new Float32Array(343980)]);
    expect([spec.channels * 2, spec.bins, spec.frames]).toEqual([4, 2048, 336]);
  });

  it.each([343980, 50000, 9000])(
    'iSTFT(STFT(x)) gives x back within 1e-4 away from the segment edges (%i samples, stereo and mono)',
    (length) => {
      const planes = [bandLimited(length, 5), bandLimited(length, 6)];
      const back = demucsIstft(demucsStft(planes), length);
      const mono = demucsIstft(demucsStft([planes[0] as Float32Array]), length);
      // demucs drops two STFT frames at each end: the first 3·hop/2 samples and the last
      // (whole hops − length) + 3·hop/2 samples are not reconstructed exactly, by design.
      const from = (3 * DEMUCS_HOP) / 2;
      const to = length - (demucsFrames(length) * DEMUCS_HOP - length) - from;
      let worst = 0;
      for (let i = from; i < to; i++) {
        for (let c = 0; c < 2; c++) worst = Math.max(worst, Math.abs((back[c]?.[i] as number) - (planes[c]?.[i] as number)));
        worst = Math.max(worst, Math.abs((mono[0]?.[i] as number) - (planes[0]?.[i] as number)));
      }
      expect(worst).toBeLessThan(1e-4);
    },
  );

  it('near the edges the round trip is attenuated exactly as demucs’ own _ispec(_spec(x)) is', () => {
    const x = new Float32Array(20000).fill(0.5);
    const back = demucsIstft(demucsStft([x]), x.length)[0] as Float32Array;
    expect(back[5000]).toBeCloseTo(0.5, 5);
    expect(back[100] as number).toBeLessThan(0.45);
  });

  it('pads short inputs like demucs’ pad1d (zeros first, then reflection)', () => {
    const padded = padReflect(Float64Array.from([1, 2, 3]), 4, 5);
    expect(padded.length).toBe(12);
    expect(Array.from(padded.subarray(4, 7))).toEqual([1, 2, 3]);
    expect(() => demucsIstft(demucsStft([noise(5000, 1)]), 9000)).toThrow(/frames/);
  });
});

describe('inverse STFTs ignore Im(DC) as torch.istft does (issue 15 item 1)', () => {
  // demucs/spec.py ispectro: `th.istft(z, n_fft, hop_length, window=th.hann_window(win_length), ..., center=True)` on a
  // one-sided spectrum, which PyTorch inverts with a real inverse FFT (C2R): the imaginary parts of the DC and Nyquist
  // bins do not exist for it. Two channels share one complex inverse FFT here, where Im(DC) of one channel would
  // otherwise land in the other.
  it('an impulse in the left channel’s Im(DC) changes neither channel (demucs layout)', () => {
    const silence = [new Float32Array(44100), new Float32Array(44100)];
    const spectrogram = demucsStft(silence);
    const frame = 10;
    // [L.re, L.im, R.re, R.im] × bins × frames: plane 1 is L.im, bin 0 is DC.
    spectrogram.data[(1 * DEMUCS_BINS + 0) * spectrogram.frames + frame] = 1;
    const [left, right] = demucsIstft(spectrogram, 44100);
    expect(Math.max(...(right as Float32Array).map(Math.abs))).toBe(0);
    expect(Math.max(...(left as Float32Array).map(Math.abs))).toBe(0);
  });

  it('the same for R’s Im(DC), and for the MDX-Net layout', () => {
    const config = { nFft: 6144, hop: 1024, dimF: 2048, dimT: 16 };
    const segment = 1024 * 15;
    const data = mdxStft([new Float32Array(segment), new Float32Array(segment)], config);
    data[(3 * config.dimF + 0) * config.dimT + 5] = 1; // R.im, DC
    for (const plane of mdxIstft(data, 2, config)) expect(Math.max(...plane.map(Math.abs))).toBe(0);
    const spectrogram = demucsStft([new Float32Array(8192), new Float32Array(8192)]);
    spectrogram.data[(3 * DEMUCS_BINS + 0) * spectrogram.frames + 3] = 1;
    for (const plane of demucsIstft(spectrogram, 8192)) expect(Math.max(...plane.map(Math.abs))).toBe(0);
  });

  it('Re(DC) still comes back, in its own channel only', () => {
    const spectrogram = demucsStft([new Float32Array(44100), new Float32Array(44100)]);
    spectrogram.data[(0 * DEMUCS_BINS + 0) * spectrogram.frames + 10] = 1; // L.re, DC
    const [left, right] = demucsIstft(spectrogram, 44100);
    expect(Math.max(...(left as Float32Array).map(Math.abs))).toBeGreaterThan(1e-3);
    expect(Math.max(...(right as Float32Array).map(Math.abs))).toBe(0);
  });
});
