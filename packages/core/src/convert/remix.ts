import type { Planes } from '../chunk/audio-chunk';
import { SluiceError } from '../errors/sluice-error';

/**
 * Changes the channel count of planar audio:
 * - mono → N copies the one channel to every output channel;
 * - N → mono averages all channels;
 * - N → M (M > N) repeats channels cyclically (channel i takes input i mod N);
 * - N → M (1 < M < N) averages the inputs j with j mod M = i into output i.
 * The last two are not layout-aware downmixes (no 5.1 matrix); they keep
 * level and never clip more than the input. Returns the input when N = M.
 */
export function remixPlanes(planes: Planes, targetChannels: number): Float32Array[] {
  if (!Number.isInteger(targetChannels) || targetChannels <= 0) {
    throw new SluiceError('E_FORMAT', `remix: target channel count must be a positive integer, got ${String(targetChannels)}`);
  }
  const sourceChannels = planes.length;
  if (sourceChannels === 0) throw new SluiceError('E_FORMAT', 'remix: no input channels');
  if (sourceChannels === targetChannels) return planes as Float32Array[];
  const frames = planes[0]?.length ?? 0;
  if (targetChannels > sourceChannels) {
    return Array.from({ length: targetChannels }, (_, c) => (planes[c % sourceChannels] as Float32Array).slice());
  }
  const out: Float32Array[] = [];
  for (let t = 0; t < targetChannels; t++) {
    const sum = new Float32Array(frames);
    let count = 0;
    for (let s = t; s < sourceChannels; s += targetChannels) {
      const plane = planes[s] as Float32Array;
      for (let i = 0; i < frames; i++) sum[i] = (sum[i] as number) + (plane[i] as number);
      count++;
    }
    const scale = 1 / count;
    for (let i = 0; i < frames; i++) sum[i] = (sum[i] as number) * scale;
    out.push(sum);
  }
  return out;
}

/** Averages all channels into one. */
export function downmixToMono(planes: Planes): Float32Array {
  return remixPlanes(planes, 1)[0] as Float32Array;
}

/** Duplicates a mono plane into two (stereo). */
export function upmixMonoToStereo(mono: Float32Array): [Float32Array, Float32Array] {
  return [mono.slice(), mono.slice()];
}
