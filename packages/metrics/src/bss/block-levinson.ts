import { invert, multiply, multiplyAdd } from './small-matrix';

/**
 * Solves T·x = y for a symmetric positive definite block-Toeplitz matrix T
 * with N×N blocks of p×p, T[i][j] = R(i − j), R(−d) = R(d)ᵀ, and a block
 * right-hand side of N blocks of p×q, by the block Levinson recursion
 * (forward and backward vectors updated one block size at a time):
 * O(N²·p³) instead of O((N·p)³) for a dense solve.
 *
 * `r` holds R(0)…R(N−1) (N·p·p, row-major blocks), `y` N·p·q. Returns x
 * (N·p·q), or null when the recursion breaks down (a singular step).
 *
 * `info`, when given, receives a lower bound on T's condition number: the
 * final forward vector's first block is the top-left block of T⁻¹, and
 * (T⁻¹)ᵢᵢ·Tᵢᵢ ≤ λmax(T)/λmin(T). A large bound means the references are
 * (nearly) linearly dependent, where this recursion is not backward stable.
 */
export function solveBlockToeplitz(
  r: Float64Array,
  y: Float64Array,
  blocks: number,
  p: number,
  q: number,
  info?: { conditionLowerBound: number },
): Float64Array | null {
  const pp = p * p;
  const pq = p * q;
  let forward = new Float64Array(blocks * pp);
  let backward = new Float64Array(blocks * pp);
  let nextForward = new Float64Array(blocks * pp);
  let nextBackward = new Float64Array(blocks * pp);
  const x = new Float64Array(blocks * pq);
  const r0Inverse = invert(r, p);
  if (r0Inverse === null) return null;
  forward.set(r0Inverse);
  backward.set(r0Inverse);
  multiply(r0Inverse, 0, y, 0, x, 0, p, p, q);
  const errorForward = new Float64Array(pp);
  const errorBackward = new Float64Array(pp);
  const product = new Float64Array(pp);
  const beta = new Float64Array(pp);
  const gamma = new Float64Array(pp);
  const theta = new Float64Array(pq);
  const accumulated = new Float64Array(pq);
  const identity = new Float64Array(pp);
  for (let i = 0; i < p; i++) identity[i * p + i] = 1;

  for (let n = 1; n < blocks; n++) {
    // ε_f = Σ_k R(n − k)·f[k];  ε_b = Σ_k R(−(k+1))·b[k] = Σ_k R(k+1)ᵀ·b[k]
    errorSums(r, forward, backward, n, p, errorForward, errorBackward);
    // α = (I − ε_b·ε_f)⁻¹, β = −ε_f·α;  δ = (I − ε_f·ε_b)⁻¹, γ = −ε_b·δ
    multiply(errorBackward, 0, errorForward, 0, product, 0, p, p, p);
    for (let i = 0; i < pp; i++) product[i] = (identity[i] as number) - (product[i] as number);
    const alpha = invert(product, p);
    multiply(errorForward, 0, errorBackward, 0, product, 0, p, p, p);
    for (let i = 0; i < pp; i++) product[i] = (identity[i] as number) - (product[i] as number);
    const delta = invert(product, p);
    if (alpha === null || delta === null) return null;
    multiply(errorForward, 0, alpha, 0, beta, 0, p, p, p);
    multiply(errorBackward, 0, delta, 0, gamma, 0, p, p, p);
    for (let i = 0; i < pp; i++) {
      beta[i] = -(beta[i] as number);
      gamma[i] = -(gamma[i] as number);
    }
    // f' = [f; 0]·α + [0; b]·β;  b' = [f; 0]·γ + [0; b]·δ
    updateVectors(forward, backward, alpha, beta, gamma, delta, n, p, nextForward, nextBackward);
    [forward, nextForward] = [nextForward, forward];
    [backward, nextBackward] = [nextBackward, backward];
    // x' = [x; 0] + b'·(y_n − Σ_k R(n − k)·x[k])
    stackedProduct(r, x, n, p, q, accumulated);
    for (let i = 0; i < pq; i++) theta[i] = (y[n * pq + i] as number) - (accumulated[i] as number);
    for (let k = 0; k <= n; k++) multiplyAdd(backward, k * pp, theta, 0, x, k * pq, p, p, q);
    if (!Number.isFinite(x[0] as number)) return null;
  }
  if (info !== undefined) {
    let bound = 0;
    for (let i = 0; i < p; i++) bound = Math.max(bound, Math.abs((forward[i * p + i] as number) * (r[i * p + i] as number)));
    info.conditionLowerBound = bound;
  }
  return x;
}

/**
 * ε_f = Σ_{k<n} R(n − k)·f[k] and ε_b = Σ_{k<n} R(k + 1)ᵀ·b[k], each entry summed in a register over k and the
 * inner index at once: the recursion's hot loop (about half its time), written out rather than as n block products.
 */
function errorSums(
  r: Float64Array,
  forward: Float64Array,
  backward: Float64Array,
  n: number,
  p: number,
  errorForward: Float64Array,
  errorBackward: Float64Array,
): void {
  const pp = p * p;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let f = 0;
      let b = 0;
      for (let k = 0; k < n; k++) {
        const rf = (n - k) * pp + i * p;
        const rb = (k + 1) * pp + i;
        const at = k * pp + j;
        for (let t = 0; t < p; t++) {
          f += (r[rf + t] as number) * (forward[at + t * p] as number);
          // R(k + 1)ᵀ[i][t] = R(k + 1)[t][i]
          b += (r[rb + t * p] as number) * (backward[at + t * p] as number);
        }
      }
      errorForward[i * p + j] = f;
      errorBackward[i * p + j] = b;
    }
  }
}

/** Σ_{k<n} R(n − k)·x[k] (x in blocks of p×q), into `out`. */
function stackedProduct(r: Float64Array, x: Float64Array, n: number, p: number, q: number, out: Float64Array): void {
  const pp = p * p;
  const pq = p * q;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < q; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const rr = (n - k) * pp + i * p;
        const at = k * pq + j;
        for (let t = 0; t < p; t++) sum += (r[rr + t] as number) * (x[at + t * q] as number);
      }
      out[i * q + j] = sum;
    }
  }
}

/**
 * f'[k] = f[k]·α + b[k − 1]·β and b'[k] = f[k]·γ + b[k − 1]·δ for k = 0…n (f[n] and b[−1] are zero): both new
 * vectors in one pass over the old ones, each entry summed in a register.
 */
function updateVectors(
  forward: Float64Array,
  backward: Float64Array,
  alpha: Float64Array,
  beta: Float64Array,
  gamma: Float64Array,
  delta: Float64Array,
  n: number,
  p: number,
  nextForward: Float64Array,
  nextBackward: Float64Array,
): void {
  const pp = p * p;
  for (let k = 0; k <= n; k++) {
    const fk = k * pp;
    const bk = (k - 1) * pp;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        let nf = 0;
        let nb = 0;
        for (let t = 0; t < p; t++) {
          const at = t * p + j;
          if (k < n) {
            const f = forward[fk + i * p + t] as number;
            nf += f * (alpha[at] as number);
            nb += f * (gamma[at] as number);
          }
          if (k > 0) {
            const b = backward[bk + i * p + t] as number;
            nf += b * (beta[at] as number);
            nb += b * (delta[at] as number);
          }
        }
        nextForward[fk + i * p + j] = nf;
        nextBackward[fk + i * p + j] = nb;
      }
    }
  }
}
