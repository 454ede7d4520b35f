/**
 * Median filters over a frames × bins magnitude grid, the two halves of
 * Fitzgerald's harmonic/percussive split: along time (sustained partials
 * survive) and along frequency (broadband transients survive).
 */
export function medianAlongTime(grid: Float32Array, frames: number, bins: number, width: number): Float32Array {
  const out = new Float32Array(grid.length);
  const half = width >> 1;
  const window: number[] = [];
  for (let k = 0; k < bins; k++) {
    for (let f = 0; f < frames; f++) {
      window.length = 0;
      for (let g = Math.max(0, f - half); g <= Math.min(frames - 1, f + half); g++) window.push(grid[g * bins + k] as number);
      out[f * bins + k] = median(window);
    }
  }
  return out;
}

export function medianAlongFrequency(grid: Float32Array, frames: number, bins: number, width: number): Float32Array {
  const out = new Float32Array(grid.length);
  const half = width >> 1;
  const window: number[] = [];
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < bins; k++) {
      window.length = 0;
      for (let j = Math.max(0, k - half); j <= Math.min(bins - 1, k + half); j++) window.push(grid[f * bins + j] as number);
      out[f * bins + k] = median(window);
    }
  }
  return out;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const middle = values.length >> 1;
  return values.length % 2 ? (values[middle] as number) : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
}
