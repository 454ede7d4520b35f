import { describe, expect, it } from 'vitest';
import { BluesteinFft, Fft, Radix3Fft, anySizeFftPlan, fastFftSize, fftPlan, realPairSpectra } from '../src/index';
import { expectThrowCode, seededRandom } from '@sluice/config/test-helpers';

function naiveDft(re: Float64Array, im: Float64Array) {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * k * t) / n;
      outRe[k] = (outRe[k] as number) + (re[t] as number) * Math.cos(angle) - (im[t] as number) * Math.sin(angle);
      outIm[k] = (outIm[k] as number) + (re[t] as number) * Math.sin(angle) + (im[t] as number) * Math.cos(angle);
    }
  }
  return { outRe, outIm };
}

describe('Fft', () => {
  it.each([1, 2, 4, 8, 32, 64, 256, 1024, 2048])('matches a naive DFT at size %i and inverts exactly', (size) => {
    const random = seededRandom(size);
    const re = Float64Array.from({ length: size }, () => random() - 0.5);
    const im = Float64Array.from({ length: size }, () => random() - 0.5);
    const { outRe, outIm } = naiveDft(re, im);
    const xr = re.slice();
    const xi = im.slice();
    new Fft(size).forward(xr, xi);
    for (let k = 0; k < size; k++) {
      expect(xr[k]).toBeCloseTo(outRe[k] as number, 9);
      expect(xi[k]).toBeCloseTo(outIm[k] as number, 9);
    }
    fftPlan(size).inverse(xr, xi);
    for (let k = 0; k < size; k++) expect(xr[k]).toBeCloseTo(re[k] as number, 12);
  });

  it.each([
    ...[3, 5, 12, 100, 6144 / 16, 7680 / 8].map((size) => ['Bluestein', size, () => new BluesteinFft(size)] as const),
    ...[3, 6, 12, 48, 384, 1536].map((size) => ['radix-3', size, () => new Radix3Fft(size)] as const),
  ])('%s matches a naive DFT at size %i and inverts', (_name, size, plan) => {
    const random = seededRandom(size + 1);
    const re = Float64Array.from({ length: size }, () => random() - 0.5);
    const im = Float64Array.from({ length: size }, () => random() - 0.5);
    const { outRe, outIm } = naiveDft(re, im);
    const xr = re.slice();
    const xi = im.slice();
    const fft = plan();
    fft.forward(xr, xi);
    for (let k = 0; k < size; k++) {
      expect(xr[k]).toBeCloseTo(outRe[k] as number, 9);
      expect(xi[k]).toBeCloseTo(outIm[k] as number, 9);
    }
    fft.inverse(xr, xi);
    for (let k = 0; k < size; k++) {
      expect(xr[k]).toBeCloseTo(re[k] as number, 12);
      expect(xi[k]).toBeCloseTo(im[k] as number, 12);
    }
  });

  it('picks the fastest plan for a size, and the smallest fast size for a length', () => {
    expect(anySizeFftPlan(6144)).toBeInstanceOf(Radix3Fft);
    expect(anySizeFftPlan(7680)).toBeInstanceOf(BluesteinFft);
    expect([1, 2, 3, 5, 7, 13, 44611, 49153, 65536].map(fastFftSize)).toEqual([2, 2, 4, 6, 8, 16, 49152, 65536, 65536]);
    expectThrowCode(() => new Radix3Fft(9), 'E_INVALID_ARGUMENT');
  });

  it('anySizeFftPlan uses radix-2 for powers of two', () => {
    expect(anySizeFftPlan(64)).toBe(fftPlan(64));
    expectThrowCode(() => new BluesteinFft(0), 'E_INVALID_ARGUMENT');
  });

  it.each([
    [128, 100, 77],
    [96, 90, 50],
  ])('splits two real signals from one complex transform (%i points: radix-2, then radix-3)', (size, xLength, yLength) => {
    const random = seededRandom(size);
    const x = Float64Array.from({ length: xLength }, () => random());
    const y = Float64Array.from({ length: yLength }, () => random());
    const out = { xRe: new Float64Array(size), xIm: new Float64Array(size), yRe: new Float64Array(size), yIm: new Float64Array(size) };
    realPairSpectra(anySizeFftPlan(size), x, y, out, { re: new Float64Array(size), im: new Float64Array(size) });
    const padded = (v: Float64Array) => Float64Array.from({ length: size }, (_, i) => v[i] ?? 0);
    const ex = naiveDft(padded(x), new Float64Array(size));
    const ey = naiveDft(padded(y), new Float64Array(size));
    for (let k = 0; k < size; k++) {
      expect(out.xRe[k]).toBeCloseTo(ex.outRe[k] as number, 9);
      expect(out.xIm[k]).toBeCloseTo(ex.outIm[k] as number, 9);
      expect(out.yRe[k]).toBeCloseTo(ey.outRe[k] as number, 9);
      expect(out.yIm[k]).toBeCloseTo(ey.outIm[k] as number, 9);
    }
  });

  it('computes only the bins asked for', () => {
    const size = 64;
    const random = seededRandom(10);
    const x = Float64Array.from({ length: 50 }, () => random());
    const full = { xRe: new Float64Array(size), xIm: new Float64Array(size), yRe: new Float64Array(size), yIm: new Float64Array(size) };
    const half = { xRe: new Float64Array(size), xIm: new Float64Array(size), yRe: new Float64Array(size), yIm: new Float64Array(size) };
    const scratch = { re: new Float64Array(size), im: new Float64Array(size) };
    realPairSpectra(fftPlan(size), x, undefined, full, scratch);
    realPairSpectra(fftPlan(size), x, undefined, half, scratch, size / 2 + 1);
    expect(Array.from(half.xRe.subarray(0, size / 2 + 1))).toEqual(Array.from(full.xRe.subarray(0, size / 2 + 1)));
    expect(Array.from(half.xIm.subarray(0, size / 2 + 1))).toEqual(Array.from(full.xIm.subarray(0, size / 2 + 1)));
    expect(half.xRe[size / 2 + 1]).toBe(0);
    expect(Math.max(...full.yRe.map(Math.abs))).toBeLessThan(1e-12);
  });

  it('refuses signals longer than the plan', () => {
    const plan = fftPlan(16);
    const out = { xRe: new Float64Array(16), xIm: new Float64Array(16), yRe: new Float64Array(16), yIm: new Float64Array(16) };
    const scratch = { re: new Float64Array(16), im: new Float64Array(16) };
    expectThrowCode(() => realPairSpectra(plan, new Float32Array(17), undefined, out, scratch), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => realPairSpectra(plan, [1, 2], new Float64Array(20), out, scratch), 'E_INVALID_ARGUMENT');
  });

  it('refuses sizes that are not powers of two', () => {
    expectThrowCode(() => new Fft(12), 'E_INVALID_ARGUMENT');
  });
});
