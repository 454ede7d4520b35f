/**
 * Dense fallback for {@link solveBlockToeplitz}: builds the full (N·p)²
 * matrix (ordered by lag, then signal) and solves it by Cholesky. O((N·p)³):
 * seconds for N·p = 4096, used only when the Levinson recursion breaks down
 * on a (nearly) singular problem. Returns null when not positive definite.
 */
export function solveDense(r: Float64Array, y: Float64Array, blocks: number, p: number, q: number): Float64Array | null {
  const n = blocks * p;
  const a = new Float64Array(n * n);
  for (let bi = 0; bi < blocks; bi++) {
    for (let bj = 0; bj <= bi; bj++) {
      const d = bi - bj;
      for (let i = 0; i < p; i++) {
        for (let j = 0; j < p; j++) {
          // Block (bi, bj) = R(bi − bj); its transpose sits at (bj, bi).
          const value = r[d * p * p + i * p + j] as number;
          a[(bi * p + i) * n + (bj * p + j)] = value;
          a[(bj * p + j) * n + (bi * p + i)] = value;
        }
      }
    }
  }
  // In-place Cholesky, lower triangle, row-major.
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let diagonal = a[rowJ + j] as number;
    for (let k = 0; k < j; k++) diagonal -= (a[rowJ + k] as number) ** 2;
    if (!(diagonal > 0)) return null;
    const pivot = Math.sqrt(diagonal);
    a[rowJ + j] = pivot;
    const inverse = 1 / pivot;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let sum = a[rowI + j] as number;
      for (let k = 0; k < j; k++) sum -= (a[rowI + k] as number) * (a[rowJ + k] as number);
      a[rowI + j] = sum * inverse;
    }
  }
  const x = Float64Array.from(y);
  for (let column = 0; column < q; column++) {
    for (let i = 0; i < n; i++) {
      let sum = x[i * q + column] as number;
      for (let k = 0; k < i; k++) sum -= (a[i * n + k] as number) * (x[k * q + column] as number);
      x[i * q + column] = sum / (a[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = x[i * q + column] as number;
      for (let k = i + 1; k < n; k++) sum -= (a[k * n + i] as number) * (x[k * q + column] as number);
      x[i * q + column] = sum / (a[i * n + i] as number);
    }
  }
  return x;
}
