import type { Planes } from '../chunk/audio-chunk';
import { SluiceError } from '../errors/sluice-error';

/**
 * Interleaves planar channels into one buffer (L R L R …). Writes into `out`
 * when given (it must hold frames × channels samples), so hot paths allocate nothing.
 */
export function interleave(planes: Planes, out?: Float32Array): Float32Array {
  const channels = planes.length;
  const frames = planes[0]?.length ?? 0;
  const target = out ?? new Float32Array(frames * channels);
  if (target.length < frames * channels) {
    throw new SluiceError('E_INVALID_ARGUMENT', `interleave: output holds ${target.length} samples, needs ${frames * channels}`);
  }
  if (channels === 1) {
    target.set(planes[0] as Float32Array);
  } else if (channels === 2) {
    const left = planes[0] as Float32Array;
    const right = planes[1] as Float32Array;
    for (let i = 0, j = 0; i < frames; i++, j += 2) {
      target[j] = left[i] as number;
      target[j + 1] = right[i] as number;
    }
  } else {
    for (let c = 0; c < channels; c++) {
      const plane = planes[c] as Float32Array;
      for (let i = 0, j = c; i < frames; i++, j += channels) target[j] = plane[i] as number;
    }
  }
  return target;
}

/**
 * Splits an interleaved buffer into planes. Writes into `out` when given
 * (one plane per channel, each at least frames long).
 */
export function deinterleave(interleaved: Float32Array, channels: number, out?: Float32Array[]): Float32Array[] {
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new SluiceError('E_FORMAT', `deinterleave: channels must be a positive integer, got ${String(channels)}`);
  }
  if (interleaved.length % channels !== 0) {
    throw new SluiceError('E_FORMAT', `deinterleave: ${interleaved.length} samples is not a whole number of ${channels}-channel frames`);
  }
  const frames = interleaved.length / channels;
  const planes = out ?? Array.from({ length: channels }, () => new Float32Array(frames));
  if (channels === 1) {
    (planes[0] as Float32Array).set(interleaved);
  } else if (channels === 2) {
    const left = planes[0] as Float32Array;
    const right = planes[1] as Float32Array;
    for (let i = 0, j = 0; i < frames; i++, j += 2) {
      left[i] = interleaved[j] as number;
      right[i] = interleaved[j + 1] as number;
    }
  } else {
    for (let c = 0; c < channels; c++) {
      const plane = planes[c] as Float32Array;
      for (let i = 0, j = c; i < frames; i++, j += channels) plane[i] = interleaved[j] as number;
    }
  }
  return planes;
}
