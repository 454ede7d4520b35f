/**
 * REPET-SIM (Rafii & Pardo 2012): the repeating part of a magnitude
 * spectrogram. Accompaniment repeats (a chord comes back every bar, a loop
 * every few bars); a voice rarely does. For each frame, the `neighbours` most
 * similar frames (cosine similarity), at least `minGap` frames apart, are
 * found, and the repeating model of each bin is the median over them,
 * clipped to the frame itself.
 */
export interface RepeatingOptions {
  /** How many similar frames vote (Rafii & Pardo use 10–100; more is steadier and slower). */
  neighbours: number;
  /** Frames closer than this to a chosen one are skipped, so one held note cannot vote for itself many times. */
  minGap: number;
  /** Bins `[from, to)` the similarity and the model are computed over; outside it the result is 0. */
  from: number;
  to: number;
}

/** Bins are summed in groups of this many for the similarities: frame choice does not need full resolution, and the Gram matrix costs frames² × bins. */
const POOL = 4;

/** The repeating model of `magnitude` (frames × bins, frame-major), in the same layout. */
export function repeatingModel(magnitude: Float32Array, frames: number, bins: number, options: RepeatingOptions): Float32Array {
  const { from, to } = options;
  const similarity = cosineSimilarities(magnitude, frames, bins, from, to);
  const model = new Float32Array(magnitude.length);
  const chosen = new Int32Array(options.neighbours);
  const eligible = new Uint8Array(frames);
  const smallest = new Float64Array(options.neighbours);
  for (let f = 0; f < frames; f++) {
    const count = pickSpaced(similarity.subarray(f * frames, (f + 1) * frames), eligible, chosen, options.minGap);
    // The median needs only the ⌊count/2⌋ + 1 smallest votes.
    const keep = (count >> 1) + 1;
    for (let k = from; k < to; k++) {
      let kept = 0;
      for (let j = 0; j < count; j++) kept = keepSmallest(smallest, kept, keep, magnitude[(chosen[j] as number) * bins + k] as number);
      const median = count % 2 ? (smallest[keep - 1] as number) : ((smallest[keep - 2] as number) + (smallest[keep - 1] as number)) / 2;
      model[f * bins + k] = Math.min(median, magnitude[f * bins + k] as number);
    }
  }
  return model;
}

/** frames × frames cosine similarities of the frames' pooled, unit-length spectra over bins [from, to) (silent frames: −1). */
function cosineSimilarities(magnitude: Float32Array, frames: number, bins: number, from: number, to: number): Float32Array {
  const width = Math.ceil((to - from) / POOL);
  const pooled = new Float32Array(frames * width);
  for (let f = 0; f < frames; f++) {
    let energy = 0;
    for (let j = 0; j < width; j++) {
      let sum = 0;
      for (let k = from + j * POOL; k < Math.min(to, from + (j + 1) * POOL); k++) sum += magnitude[f * bins + k] as number;
      pooled[f * width + j] = sum;
      energy += sum * sum;
    }
    const scale = energy > 0 ? 1 / Math.sqrt(energy) : 0;
    for (let j = 0; j < width; j++) pooled[f * width + j] = (pooled[f * width + j] as number) * scale;
  }
  const similarity = new Float32Array(frames * frames);
  for (let f = 0; f < frames; f++) {
    for (let g = f; g < frames; g++) {
      let dot = 0;
      for (let j = 0; j < width; j++) dot += (pooled[f * width + j] as number) * (pooled[g * width + j] as number);
      const value = dot === 0 ? -1 : dot;
      similarity[f * frames + g] = value;
      similarity[g * frames + f] = value;
    }
  }
  return similarity;
}

/**
 * The most similar frames, greedily: the best eligible one, then every frame
 * within `minGap` of it stops being eligible; returns how many were chosen.
 */
function pickSpaced(similarity: Float32Array, eligible: Uint8Array, chosen: Int32Array, minGap: number): number {
  eligible.fill(1);
  let count = 0;
  while (count < chosen.length) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let g = 0; g < similarity.length; g++) {
      if (eligible[g] === 1 && (similarity[g] as number) > bestValue) {
        best = g;
        bestValue = similarity[g] as number;
      }
    }
    if (best < 0) break;
    chosen[count++] = best;
    eligible.fill(0, Math.max(0, best - minGap + 1), Math.min(similarity.length, best + minGap));
  }
  return count;
}

/** Keeps `sorted[0, kept)` the ascending `limit` smallest values seen; returns the new count. */
function keepSmallest(sorted: Float64Array, kept: number, limit: number, value: number): number {
  if (kept === limit && value >= (sorted[limit - 1] as number)) return kept;
  let i = kept === limit ? limit - 1 : kept;
  while (i > 0 && (sorted[i - 1] as number) > value) {
    sorted[i] = sorted[i - 1] as number;
    i--;
  }
  sorted[i] = value;
  return kept === limit ? kept : kept + 1;
}
