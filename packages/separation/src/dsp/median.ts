/**
 * Median filters over a frames × bins magnitude grid, the two halves of
 * Fitzgerald's harmonic/percussive split: along time (sustained partials
 * survive) and along frequency (broadband transients survive). Windows are
 * `width` wide and shrink at the edges.
 */
export function medianAlongTime(grid: Float32Array, frames: number, bins: number, width: number): Float32Array {
  const out = new Float32Array(grid.length);
  const sorted = new Float64Array(width + 1);
  for (let k = 0; k < bins; k++) slidingMedian(grid, out, k, bins, frames, width >> 1, sorted);
  return out;
}

export function medianAlongFrequency(grid: Float32Array, frames: number, bins: number, width: number): Float32Array {
  const out = new Float32Array(grid.length);
  const sorted = new Float64Array(width + 1);
  for (let f = 0; f < frames; f++) slidingMedian(grid, out, f * bins, 1, bins, width >> 1, sorted);
  return out;
}

/**
 * Running median along one line of the grid (elements start, start + step, …),
 * keeping the window sorted: each step removes one value and inserts one,
 * O(width) instead of a sort per element.
 */
function slidingMedian(
  grid: Float32Array,
  out: Float32Array,
  start: number,
  step: number,
  count: number,
  half: number,
  sorted: Float64Array,
): void {
  let size = 0;
  const insert = (value: number) => {
    let i = size++;
    while (i > 0 && (sorted[i - 1] as number) > value) {
      sorted[i] = sorted[i - 1] as number;
      i--;
    }
    sorted[i] = value;
  };
  const remove = (value: number) => {
    let i = 0;
    while (i < size && sorted[i] !== value) i++;
    for (size--; i < size; i++) sorted[i] = sorted[i + 1] as number;
  };
  for (let i = 0; i <= Math.min(half, count - 1); i++) insert(grid[start + i * step] as number);
  for (let i = 0; i < count; i++) {
    const middle = size >> 1;
    out[start + i * step] = size % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
    const incoming = i + half + 1;
    const outgoing = i - half;
    if (incoming < count) insert(grid[start + incoming * step] as number);
    if (outgoing >= 0) remove(grid[start + outgoing * step] as number);
  }
}
