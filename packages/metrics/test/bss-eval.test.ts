import { describe, expect, it } from 'vitest';
import { solveBlockToeplitz } from '../src/bss/block-levinson';
import { crossCorrelations } from '../src/bss/correlate';
import { solveDense } from '../src/bss/dense-solve';
import { blockToeplitzProduct } from '../src/bss/toeplitz-product';
import { bssEval, nanMedian } from '../src/index';
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
      // Dependent references (mono stored as stereo, a delayed copy) need regularisation and say so.
      if (item.nearlyDependent !== true) expect(result.illConditioned).toBe(item.dependent === true);
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

describe('BSS-Eval on (nearly) dependent references (issue 17 item 11)', () => {
  // museval/metrics.py _compute_projection_filters: np.linalg.solve(G + eps*I, D), np.linalg.lstsq(G, D) on LinAlgError.
  // Dependent references span the same subspace whatever combination is chosen, so a regularised solve projects alike.
  const rate = 8000;
  /** Noise through three 24-sample moving averages: almost nothing above a few hundred hertz, so G is badly conditioned. */
  const muffled = (seconds: number, seed: number) => {
    const random = seededRandom(seed);
    let x = Float64Array.from({ length: seconds * rate }, () => random() - 0.5);
    for (let pass = 0; pass < 3; pass++) {
      const y = new Float64Array(x.length);
      let sum = 0;
      for (let i = 0; i < x.length; i++) {
        sum += (x[i] as number) - (i >= 24 ? (x[i - 24] as number) : 0);
        y[i] = sum / 24;
      }
      x = y;
    }
    return Float32Array.from(x, (v) => 2 * v);
  };
  const broadband = (seconds: number, seed: number) => {
    const random = seededRandom(seed);
    return Float32Array.from({ length: seconds * rate }, () => 0.2 * (random() - 0.5));
  };
  /** Each estimate: its reference, 20 dB of the other source, and a little noise. */
  const leaky = (references: Float32Array[][], seed: number) => {
    const noise = seededRandom(seed);
    return references.map((source, j) =>
      source.map((plane, c) =>
        Float32Array.from(
          plane,
          (v, i) => v + 0.1 * ((references[1 - j] as Float32Array[])[c] as Float32Array)[i]! + 0.01 * (noise() - 0.5),
        ),
      ),
    );
  };
  const delayed = (x: Float32Array, gain: number, delay: number) =>
    Float32Array.from(x, (_, i) => (i >= delay ? gain * (x[i - delay] as number) : 0));

  it('a stem stored as stereo with L = R exactly, 1 s windows: flagged, finite, SIR above 5 dB (the leakage is 20 dB down)', async () => {
    const mono = muffled(3, 4);
    const other = [broadband(3, 5), broadband(3, 6)];
    const references = [[mono, mono], other];
    const estimates = leaky(references, 10);
    const result = await bssEval(estimates, references, { sampleRate: rate, filterLength: 256 });
    expect(result.illConditioned).toBe(true);
    expect(result.regularization).toBeGreaterThan(0);
    for (const value of [...result.sdr.flat(), ...result.sir.flat(), ...result.sar.flat()]) expect(Number.isFinite(value)).toBe(true);
    for (const value of result.median.sir) expect(value).toBeGreaterThan(5);
  });

  it('a muffled stem whose right channel is 0.9 × the left delayed 2 samples: every figure sane', async () => {
    const left = muffled(3, 1);
    const other = [broadband(3, 2), broadband(3, 3)];
    const references = [[left, delayed(left, 0.9, 2)], other];
    const estimates = leaky(references, 9);
    const result = await bssEval(estimates, references, { sampleRate: rate, windowSeconds: 1, hopSeconds: 1, filterLength: 256 });
    for (const table of [result.sdr, result.sir, result.sar, result.isr]) {
      for (const value of table.flat()) {
        expect(Number.isFinite(value)).toBe(true);
        expect(Math.abs(value)).toBeLessThan(200);
      }
    }
    // The interference added is 20 dB below each source: SIR must say about that, not thousands of dB either way.
    for (const value of result.median.sir) expect(value).toBeGreaterThan(5);
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

describe('cross-correlations', () => {
  it('equal the sums written out, across blocks and at both ends of the signals', () => {
    const random = seededRandom(6);
    const length = 5000;
    const maxLag = 64; // 1,024-point blocks of 898 samples: six blocks, the last one partial
    const signals = [
      Float32Array.from({ length }, () => random() - 0.5),
      Float64Array.from({ length }, () => random() - 0.5),
      Float32Array.from({ length }, () => random() - 0.5),
    ];
    const pairs = [
      { x: 0, y: 0 },
      { x: 0, y: 1 },
      { x: 1, y: 2 },
      { x: 2, y: 0 },
    ];
    const fast = crossCorrelations(signals, pairs, maxLag);
    for (const [p, { x, y }] of pairs.entries()) {
      for (let d = -(maxLag - 1); d <= maxLag - 1; d++) {
        let sum = 0;
        for (let m = Math.max(0, -d); m < Math.min(length, length - d); m++)
          sum += (signals[x]?.[m] as number) * (signals[y]?.[m + d] as number);
        expect(fast[p]?.[maxLag - 1 + d]).toBeCloseTo(sum, 9);
      }
    }
  });
});

describe('block-Toeplitz product', () => {
  it('equals the product with the dense matrix, for any block and column counts', () => {
    const random = seededRandom(5);
    for (const [blocks, p, q] of [
      [1, 1, 1],
      [2, 3, 1],
      [9, 2, 3],
      [33, 4, 4],
    ] as const) {
      const r = Float64Array.from({ length: blocks * p * p }, () => random() - 0.5);
      const x = Float64Array.from({ length: blocks * p * q }, () => random() - 0.5);
      const fast = blockToeplitzProduct(r, x, blocks, p, q);
      // Written out: block (bi, bj) is R(bi − bj) on and below the diagonal, R(bj − bi)ᵀ above it.
      for (let bi = 0; bi < blocks; bi++) {
        for (let i = 0; i < p; i++) {
          for (let c = 0; c < q; c++) {
            let sum = 0;
            for (let bj = 0; bj < blocks; bj++) {
              for (let j = 0; j < p; j++) {
                const entry = bi >= bj ? r[(bi - bj) * p * p + i * p + j] : r[(bj - bi) * p * p + j * p + i];
                sum += (entry as number) * (x[bj * p * q + j * q + c] as number);
              }
            }
            expect(fast[bi * p * q + i * q + c]).toBeCloseTo(sum, 12);
          }
        }
      }
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
