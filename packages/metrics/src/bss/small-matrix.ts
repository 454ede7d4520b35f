/** Helpers for the small dense p×p (and p×q) blocks of block Levinson, row-major Float64Arrays. */

/** out = a (m×k) · b (k×n). `out` must not alias the inputs. */
export function multiply(
  a: Float64Array,
  aOffset: number,
  b: Float64Array,
  bOffset: number,
  out: Float64Array,
  outOffset: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += (a[aOffset + i * k + t] as number) * (b[bOffset + t * n + j] as number);
      out[outOffset + i * n + j] = sum;
    }
  }
}

/** Inverse of a p×p matrix by Gauss–Jordan elimination with partial pivoting; null when singular. */
export function invert(matrix: Float64Array, p: number): Float64Array | null {
  const a = Float64Array.from(matrix.subarray(0, p * p));
  const inverse = new Float64Array(p * p);
  for (let i = 0; i < p; i++) inverse[i * p + i] = 1;
  for (let column = 0; column < p; column++) {
    let pivot = column;
    for (let row = column + 1; row < p; row++) {
      if (Math.abs(a[row * p + column] as number) > Math.abs(a[pivot * p + column] as number)) pivot = row;
    }
    const value = a[pivot * p + column] as number;
    if (value === 0 || !Number.isFinite(value)) return null;
    if (pivot !== column) {
      for (let j = 0; j < p; j++) {
        [a[column * p + j], a[pivot * p + j]] = [a[pivot * p + j] as number, a[column * p + j] as number];
        [inverse[column * p + j], inverse[pivot * p + j]] = [inverse[pivot * p + j] as number, inverse[column * p + j] as number];
      }
    }
    const scale = 1 / value;
    for (let j = 0; j < p; j++) {
      a[column * p + j] = (a[column * p + j] as number) * scale;
      inverse[column * p + j] = (inverse[column * p + j] as number) * scale;
    }
    for (let row = 0; row < p; row++) {
      if (row === column) continue;
      const factor = a[row * p + column] as number;
      if (factor === 0) continue;
      for (let j = 0; j < p; j++) {
        a[row * p + j] = (a[row * p + j] as number) - factor * (a[column * p + j] as number);
        inverse[row * p + j] = (inverse[row * p + j] as number) - factor * (inverse[column * p + j] as number);
      }
    }
  }
  return inverse;
}
