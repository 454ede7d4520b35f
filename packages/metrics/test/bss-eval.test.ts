import { describe, expect, it } from 'vitest';
import { bssEval, nanMedian, solveBlockToeplitz, solveDense } from '../src/index';
import { expectCode, seededRandom } from '@sluice/config/test-helpers';
import { decode, reference } from './reference';

const rows = (value: unknown) =>
  Array.isArray((value as unknown[])[0]) ? (value as (number | null)[][]) : [value as (number | null)[]].flat().map((v) => [v]);

describe('BSS-Eval against mir_eval and museval-style references', () => {
  for (const item of reference.bss) {
    it(`${item.name} within 0.01 dB`, async () => {
      const references = item.references.map((source) => source.map(decode));
      const estimates = item.estimates.map((source) => source.map(decode));
      const result = await bssEval(estimates, references, {
        sampleRate: reference.sampleRate,
        windowSeconds: item.windowSeconds ?? Number.POSITIVE_INFINITY,
        hopSeconds: item.hopSeconds ?? Number.POSITIVE_INFINITY,
        filterLength: reference.filterLength,
        mode: item.mode,
      });
      expect(result.solver).toBe('block-levinson');
      const check = (name: 'sdr' | 'isr' | 'sir' | 'sar', expected: unknown) => {
        if (expected === undefined) return;
        const table = rows(expected);
        table.forEach((row, j) => {
          row.forEach((value, t) => {
            const actual = (result[name][j] as number[])[t] as number;
            if (value === null) expect(actual, `${name}[${j}][${t}]`).toBeNaN();
            else expect(Math.abs(actual - value), `${name}[${j}][${t}]: ${actual} vs ${value}`).toBeLessThan(0.01);
          });
        });
      };
      check('sdr', item.sdr);
      check('sir', item.sir);
      check('sar', item.sar);
      if (item.mode === 'images') check('isr', item.isr);
      else expect(result.isr.flat().every(Number.isNaN)).toBe(true);
    });
  }

  it('the windowed case has a NaN window (silent reference) and medians skip it', async () => {
    const item = reference.bss.find((b) => b.name === 'images-windowed-v4');
    const references = item?.references.map((source) => source.map(decode)) ?? [];
    const estimates = item?.estimates.map((source) => source.map(decode)) ?? [];
    const result = await bssEval(estimates, references, { sampleRate: reference.sampleRate });
    expect(result.windows).toBe(3);
    expect(result.sdr[0]?.[1]).toBeNaN();
    expect(result.median.sdr[0]).toBeCloseTo(nanMedian(result.sdr[0] as number[]), 12);
    expect(Number.isFinite(result.median.sdr[0])).toBe(true);
  });
});

describe('block Levinson', () => {
  it('solves random SPD block-Toeplitz systems like a dense Cholesky', () => {
    const random = seededRandom(4);
    for (const [blocks, p, q] of [
      [1, 1, 1],
      [7, 1, 2],
      [16, 3, 2],
      [24, 4, 5],
    ] as const) {
      // R(d) from the correlations of a random multichannel signal: SPD by construction.
      const n = 400;
      const signals = Array.from({ length: p }, () => Float64Array.from({ length: n }, () => random() - 0.5));
      const r = new Float64Array(blocks * p * p);
      for (let d = 0; d < blocks; d++) {
        for (let i = 0; i < p; i++) {
          for (let j = 0; j < p; j++) {
            let sum = 0;
            for (let m = 0; m + d < n; m++) sum += (signals[i]?.[m] as number) * (signals[j]?.[m + d] as number);
            r[d * p * p + i * p + j] = sum;
          }
        }
      }
      const y = Float64Array.from({ length: blocks * p * q }, () => random());
      const fast = solveBlockToeplitz(r, y, blocks, p, q);
      const dense = solveDense(r, y, blocks, p, q);
      expect(fast).not.toBeNull();
      expect(dense).not.toBeNull();
      let worst = 0;
      for (let i = 0; i < y.length; i++)
        worst = Math.max(worst, Math.abs((fast?.[i] as number) - (dense?.[i] as number)) / (1 + Math.abs(dense?.[i] as number)));
      expect(worst).toBeLessThan(1e-8);
    }
  });
});

describe('BSS-Eval bad input', () => {
  const random = seededRandom(8);
  const noise = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);

  it('refuses silent references and estimates, like museval', async () => {
    const error = await expectCode(
      bssEval([[noise(2000)], [noise(2000)]], [[noise(2000)], [new Float32Array(2000)]], { sampleRate: 1000 }),
      'E_INVALID_ARGUMENT',
    );
    expect(error.message).toMatch(/all zeros/);
  });

  it('refuses mismatched sources, lengths and channel counts', async () => {
    await expectCode(bssEval([[noise(100)]], [[noise(100)], [noise(100)]]), 'E_FORMAT');
    await expectCode(bssEval([[noise(100)]], [[noise(101)]]), 'E_FORMAT');
    await expectCode(bssEval([[noise(100), noise(100)]], [[noise(100)]]), 'E_FORMAT');
  });

  it('names a NaN sample and honours an abort signal', async () => {
    const bad = noise(3000);
    bad[1234] = Number.NaN;
    const error = await expectCode(bssEval([[bad]], [[noise(3000)]], { sampleRate: 1000 }), 'E_NON_FINITE');
    expect(error.message).toMatch(/sample 1234/);
    await expectCode(bssEval([[noise(3000)]], [[noise(3000)]], { sampleRate: 1000, signal: AbortSignal.abort() }), 'E_ABORTED');
  });
});
