import { demucsIstft, demucsStft } from '../stft/demucs-stft';
import { mdxIstft, mdxStft } from '../stft/mdx-stft';
import type { InferencePlan } from './protocol';

/** A float32 tensor as the plan sees it (onnxruntime's Tensor fits). */
export interface PlainTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Runs the session on named float32 inputs and returns the named outputs. */
export type RunSession = (feeds: Record<string, PlainTensor>) => Promise<Record<string, PlainTensor>>;

/** Concatenates planes into one [channels × frames] buffer (planar = row-major [1, C, T]). */
function stack(planes: readonly Float32Array[]): Float32Array {
  const frames = planes[0]?.length ?? 0;
  const first = planes[0];
  const contiguous =
    first !== undefined &&
    first.buffer.byteLength === planes.length * frames * 4 &&
    planes.every((plane, c) => plane.buffer === first.buffer && plane.byteOffset === c * frames * 4);
  if (contiguous) return new Float32Array(first.buffer, 0, planes.length * frames);
  const out = new Float32Array(planes.length * frames);
  for (let c = 0; c < planes.length; c++) out.set(planes[c] as Float32Array, c * frames);
  return out;
}

/** Splits a [1, S, C, T] output into stems of planes (views, no copy). */
function unstack(data: Float32Array, stems: number, channels: number, frames: number): Float32Array[][] {
  return Array.from({ length: stems }, (_, s) =>
    Array.from({ length: channels }, (_, c) => data.subarray((s * channels + c) * frames, (s * channels + c + 1) * frames)),
  );
}

/**
 * One window through a model, per contract: the waveform export takes the
 * audio as it is; the split export takes it with its demucs spectrogram and
 * returns iSTFT(spectral branch) + time branch; MDX-Net takes the STFT with
 * its first 3 bins zeroed (as UVR does), and its primary stem is the
 * iSTFT of the output times `compensate`, the secondary the rest of the mix.
 */
export async function runPlan(plan: InferencePlan, planes: Float32Array[], run: RunSession): Promise<Float32Array[][]> {
  const channels = planes.length;
  if (plan.kind === 'waveform') {
    const out = await run({ [plan.input]: { data: stack(planes), dims: [1, channels, plan.frames] } });
    return unstack((out[plan.output] as PlainTensor).data, plan.stems, channels, plan.frames);
  }
  if (plan.kind === 'split') {
    const spec = demucsStft(planes);
    const out = await run({
      [plan.waveInput]: { data: stack(planes), dims: [1, channels, plan.frames] },
      [plan.specInput]: { data: spec.data, dims: [1, 2 * channels, spec.bins, spec.frames] },
    });
    const time = unstack((out[plan.waveOutput] as PlainTensor).data, plan.stems, channels, plan.frames);
    const spectral = (out[plan.specOutput] as PlainTensor).data;
    const perStem = 2 * channels * spec.bins * spec.frames;
    return time.map((stemPlanes, s) => {
      const data = spectral.subarray(s * perStem, (s + 1) * perStem);
      const waves = demucsIstft({ channels, bins: spec.bins, frames: spec.frames, data }, plan.frames);
      return stemPlanes.map((plane, c) => {
        const sum = waves[c] as Float32Array;
        for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (plane[i] as number);
        return sum;
      });
    });
  }
  const { config } = plan;
  const spec = mdxStft(planes, config);
  // UVR zeroes the lowest 3 bins before the model.
  for (let plane = 0; plane < 2 * channels; plane++)
    spec.fill(0, plane * config.dimF * config.dimT, (plane * config.dimF + 3) * config.dimT);
  const dims = [1, 2 * channels, config.dimF, config.dimT];
  let predicted = ((await run({ [plan.input]: { data: spec, dims } }))[plan.output] as PlainTensor).data;
  if (plan.denoise) {
    // UVR's denoise: spec_pred = model(-spek) * -0.5 + model(spek) * 0.5 (noise the model adds does not flip with the input).
    const negated = Float32Array.from(spec, (v) => -v);
    const fromNegated = ((await run({ [plan.input]: { data: negated, dims } }))[plan.output] as PlainTensor).data;
    predicted = Float32Array.from(predicted, (v, i) => 0.5 * v - 0.5 * (fromNegated[i] as number));
  }
  const primary = mdxIstft(predicted, channels, config);
  for (const plane of primary) for (let i = 0; i < plane.length; i++) plane[i] = (plane[i] as number) * plan.compensate;
  const secondary = planes.map((plane, c) => Float32Array.from(plane, (v, i) => v - ((primary[c] as Float32Array)[i] as number)));
  return [primary, secondary];
}
