import { fftPlan, nextPowerOfTwo, realPairSpectra } from '@sluice/core';

/**
 * T·x for the symmetric block-Toeplitz T of `r` (N blocks of p×p, the layout
 * of `solveBlockToeplitz`: T[i][j] = R(i − j), R(−d) = R(d)ᵀ) and x of N
 * blocks of p×q, as p·q·p scalar linear convolutions done by FFT:
 * (T·x)[i] = Σ_j G(i − j)·x[j] with G(d) = R(d) for d ≥ 0 and R(−d)ᵀ below.
 * O(N log N·p²·q) instead of the O(N²·p²·q) of the product written out,
 * which cost as much as the Levinson solve it checks. The rounding error is
 * of the same order as a direct sum's (a few ε·‖T‖·‖x‖).
 */
export function blockToeplitzProduct(r: Float64Array, x: Float64Array, blocks: number, p: number, q: number): Float64Array {
  const pp = p * p;
  const pq = p * q;
  // G's sequence runs over lags −(N−1)…N−1 (index m = d + N − 1); the linear convolution with x is 3N − 2 long.
  const size = nextPowerOfTwo(3 * blocks - 2);
  const plan = fftPlan(size);
  const bins = size / 2 + 1;
  const lags = 2 * blocks - 1;
  const scratch = { re: new Float64Array(size), im: new Float64Array(size) };
  const pair = { xRe: new Float64Array(size), xIm: new Float64Array(size), yRe: new Float64Array(size), yIm: new Float64Array(size) };
  const halfSpectra = (count: number, fill: (index: number, into: Float64Array) => Float64Array) => {
    const re = new Float64Array(count * bins);
    const im = new Float64Array(count * bins);
    const a = new Float64Array(Math.max(lags, blocks));
    const b = new Float64Array(Math.max(lags, blocks));
    for (let index = 0; index < count; index += 2) {
      realPairSpectra(plan, fill(index, a), index + 1 < count ? fill(index + 1, b) : undefined, pair, scratch, bins);
      re.set(pair.xRe.subarray(0, bins), index * bins);
      im.set(pair.xIm.subarray(0, bins), index * bins);
      if (index + 1 < count) {
        re.set(pair.yRe.subarray(0, bins), (index + 1) * bins);
        im.set(pair.yIm.subarray(0, bins), (index + 1) * bins);
      }
    }
    return { re, im };
  };
  // Entry (i, j) of G at every lag.
  const g = halfSpectra(pp, (index, into) => {
    const i = Math.floor(index / p);
    const j = index % p;
    for (let m = 0; m < lags; m++) {
      const d = m - (blocks - 1);
      into[m] = d >= 0 ? (r[d * pp + i * p + j] as number) : (r[-d * pp + j * p + i] as number);
    }
    return into.subarray(0, lags);
  });
  // Entry (j, c) of x at every block.
  const xs = halfSpectra(pq, (index, into) => {
    for (let block = 0; block < blocks; block++) into[block] = x[block * pq + index] as number;
    return into.subarray(0, blocks);
  });
  // (T·x)(i, c) = Σ_j g(i, j) ∗ x(j, c), bin by bin; two real outputs per inverse transform (Z = A + iB).
  const out = new Float64Array(blocks * pq);
  const { re, im } = scratch;
  const half = size / 2;
  const product = (index: number, k: number): [number, number] => {
    const i = Math.floor(index / q);
    const c = index % q;
    let sr = 0;
    let si = 0;
    for (let j = 0; j < p; j++) {
      const gAt = (i * p + j) * bins + k;
      const xAt = (j * q + c) * bins + k;
      const gr = g.re[gAt] as number;
      const gi = g.im[gAt] as number;
      const xr = xs.re[xAt] as number;
      const xi = xs.im[xAt] as number;
      sr += gr * xr - gi * xi;
      si += gr * xi + gi * xr;
    }
    return [sr, si];
  };
  for (let index = 0; index < pq; index += 2) {
    const second = index + 1 < pq;
    for (let k = 0; k <= half; k++) {
      const [ar, ai] = product(index, k);
      const [br, bi] = second ? product(index + 1, k) : [0, 0];
      re[k] = ar - bi;
      im[k] = ai + br;
      if (k > 0 && k < half) {
        re[size - k] = ar + bi;
        im[size - k] = br - ai;
      }
    }
    plan.inverse(re, im);
    for (let block = 0; block < blocks; block++) {
      out[block * pq + index] = re[block + blocks - 1] as number;
      if (second) out[block * pq + index + 1] = im[block + blocks - 1] as number;
    }
  }
  return out;
}
