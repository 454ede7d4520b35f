import { seededRandom } from '@sluice/config/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import type { Spectrum } from '../src/bss/spectra';
import { SpectrumArena, useSimdSpectra } from '../src/bss/spectrum-arena';
import { bssEval } from '../src/index';
import { decode, reference } from './reference';

const random = seededRandom(31);
const fill = (spectrum: Spectrum) => {
  for (const array of [spectrum.re, spectrum.im]) for (let i = 0; i < array.length; i++) array[i] = random() - 0.5;
};

/** out[k] += x[xFrom + k]·y[yFrom + k] (or ·conj) written out with complex numbers, for comparison. */
function definition(out: Spectrum, x: Spectrum, xFrom: number, y: Spectrum, yFrom: number, bins: number, conjugate: boolean) {
  for (let k = 0; k < bins; k++) {
    const [a, b] = [x.re[xFrom + k] as number, x.im[xFrom + k] as number];
    const [c, d] = [y.re[yFrom + k] as number, conjugate ? -(y.im[yFrom + k] as number) : (y.im[yFrom + k] as number)];
    out.re[k] = (out.re[k] as number) + (a * c - b * d);
    out.im[k] = (out.im[k] as number) + (a * d + b * c);
  }
}

describe('SpectrumArena', () => {
  afterEach(() => useSimdSpectra(true));

  it('has the SIMD kernel in Node 20', () => {
    expect(useSimdSpectra(true)).toBe(true);
  });

  it.each([
    [1, 0, 0, true],
    [7, 3, 0, true],
    [4097, 5, 4097, true],
    [4096, 0, 11, false],
    [24577, 2, 1, false],
  ])(
    'multiply-accumulates %i bins at offsets %i and %i (conjugate: %s) as the definition does, with and without SIMD',
    (bins, xFrom, yFrom, conjugate) => {
      for (const simd of [true, false]) {
        useSimdSpectra(simd);
        const arena = new SpectrumArena([bins, bins + xFrom, bins + yFrom]);
        const [out, x, y] = arena.spectra as [Spectrum, Spectrum, Spectrum];
        for (const spectrum of [out, x, y]) fill(spectrum);
        const expected = { re: out.re.slice(), im: out.im.slice() };
        definition(expected, x, xFrom, y, yFrom, bins, conjugate);
        // Twice, so that the accumulation is tested too.
        definition(expected, x, xFrom, y, yFrom, bins, conjugate);
        arena.multiplyAccumulate(out, x, xFrom, y, yFrom, bins, conjugate);
        arena.multiplyAccumulate(out, x, xFrom, y, yFrom, bins, conjugate);
        for (let k = 0; k < bins; k++) {
          expect(Math.abs((out.re[k] as number) - (expected.re[k] as number))).toBeLessThan(1e-15);
          expect(Math.abs((out.im[k] as number) - (expected.im[k] as number))).toBeLessThan(1e-15);
        }
      }
    },
  );

  it('gives the same bits with and without SIMD on the same data', () => {
    const bins = 4097;
    const arena = new SpectrumArena([bins, bins, bins, bins]);
    const [simdOut, x, y, ...rest] = arena.spectra as [Spectrum, Spectrum, Spectrum, Spectrum];
    const scalarOut = rest[0] as Spectrum;
    for (const spectrum of [x, y, simdOut]) fill(spectrum);
    scalarOut.re.set(simdOut.re);
    scalarOut.im.set(simdOut.im);
    const plain = { re: scalarOut.re.slice(), im: scalarOut.im.slice() };
    for (const conjugate of [true, false]) {
      arena.multiplyAccumulate(simdOut, x, 0, y, 0, bins, conjugate);
      // A spectrum outside the arena takes the scalar loop.
      arena.multiplyAccumulate(plain, x, 0, y, 0, bins, conjugate);
    }
    expect(Array.from(plain.re)).toEqual(Array.from(simdOut.re));
    expect(Array.from(plain.im)).toEqual(Array.from(simdOut.im));
  });

  it('leaves bssEval bit for bit the same as the scalar loop', async () => {
    const item = reference.bss.find((entry) => entry.windowSeconds !== null) ?? (reference.bss[0] as (typeof reference.bss)[number]);
    const run = async (simd: boolean) => {
      useSimdSpectra(simd);
      return bssEval(
        item.estimates.map((source) => source.map(decode)),
        item.references.map((source) => source.map(decode)),
        { sampleRate: reference.sampleRate, filterLength: reference.filterLength, mode: item.mode },
      );
    };
    const [simd, scalar] = [await run(true), await run(false)];
    expect(simd.sdr).toEqual(scalar.sdr);
    expect(simd.sir).toEqual(scalar.sir);
    expect(simd.sar).toEqual(scalar.sar);
    expect(simd.isr).toEqual(scalar.isr);
  });
});
