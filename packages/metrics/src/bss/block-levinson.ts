import { invert, multiply, multiplyAdd, multiplyTransposeAdd } from './small-matrix';

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
    errorForward.fill(0);
    errorBackward.fill(0);
    for (let k = 0; k < n; k++) {
      multiplyAdd(r, (n - k) * pp, forward, k * pp, errorForward, 0, p, p, p);
      multiplyTransposeAdd(r, (k + 1) * pp, backward, k * pp, errorBackward, 0, p, p, p);
    }
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
    nextForward.fill(0, 0, (n + 1) * pp);
    nextBackward.fill(0, 0, (n + 1) * pp);
    for (let k = 0; k <= n; k++) {
      if (k < n) {
        multiplyAdd(forward, k * pp, alpha, 0, nextForward, k * pp, p, p, p);
        multiplyAdd(forward, k * pp, gamma, 0, nextBackward, k * pp, p, p, p);
      }
      if (k > 0) {
        multiplyAdd(backward, (k - 1) * pp, beta, 0, nextForward, k * pp, p, p, p);
        multiplyAdd(backward, (k - 1) * pp, delta, 0, nextBackward, k * pp, p, p, p);
      }
    }
    [forward, nextForward] = [nextForward, forward];
    [backward, nextBackward] = [nextBackward, backward];
    // x' = [x; 0] + b'·(y_n − Σ_k R(n − k)·x[k])
    accumulated.fill(0);
    for (let k = 0; k < n; k++) multiplyAdd(r, (n - k) * pp, x, k * pq, accumulated, 0, p, p, q);
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
