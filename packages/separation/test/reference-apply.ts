import type { SeparationModel, StemPlanes } from '../src/index';

/**
 * demucs' separation written out plainly over a whole track, independent of
 * the streaming engine, from demucs' own code (facebookresearch/demucs,
 * v4 main: demucs/apply.py `TensorChunk`, `apply_model`; demucs/api.py
 * `Separator.separate_tensor`; demucs/htdemucs.py `HTDemucs.forward`,
 * `valid_length`; demucs/utils.py `center_trim`). Each step names the line
 * it follows. Arithmetic is float64 except where demucs' tensors are float32.
 */

type Planes = Float32Array[];

/** apply.py TensorChunk: a view of `tensor` from `offset`, `length` long, reading the underlying tensor when padded. */
interface TensorChunk {
  tensor: Planes;
  offset: number;
  length: number;
}

/**
 * `TensorChunk.__init__`: `total_length = tensor.shape[-1]` (the parent's length);
 * `length = min(total_length - offset, length)`; a chunk of a chunk keeps the
 * parent's tensor with `self.offset = offset + tensor.offset`.
 */
function chunkOf(parent: TensorChunk, offset: number, length?: number): TensorChunk {
  const total = parent.length;
  const kept = length === undefined ? total - offset : Math.min(total - offset, length);
  return { tensor: parent.tensor, offset: parent.offset + offset, length: kept };
}

/**
 * `TensorChunk.padded(target_length)`: `delta = target_length - self.length`;
 * `start = self.offset - delta // 2`; `end = start + target_length`; read
 * `self.tensor[..., max(0, start):min(total_length, end)]` and zero-pad the rest,
 * where `total_length = self.tensor.shape[-1]` (the underlying tensor).
 */
function padded(chunk: TensorChunk, target: number): Planes {
  const delta = target - chunk.length;
  const start = chunk.offset - Math.floor(delta / 2);
  const total = chunk.tensor[0]?.length ?? 0;
  return chunk.tensor.map((plane) =>
    Float32Array.from({ length: target }, (_, i) => (start + i >= 0 && start + i < total ? (plane[start + i] as number) : 0)),
  );
}

/**
 * `HTDemucs.forward` on an exported model of fixed training length W: `if
 * mix.shape[-1] < training_length: mix = F.pad(mix, (0, training_length -
 * length_pre_pad))`, and at the end `x = x[..., :length_pre_pad]`.
 */
async function forward(model: SeparationModel, input: Planes): Promise<StemPlanes> {
  const length = input[0]?.length ?? 0;
  const window = model.segmentFrames;
  const full = input.map((plane) => {
    const out = new Float32Array(window);
    out.set(plane.subarray(0, Math.min(length, window)));
    return out;
  });
  const result = await model.infer(full);
  return Object.fromEntries(Object.entries(result).map(([stem, planes]) => [stem, planes.map((plane) => plane.slice(0, length))]));
}

/** utils.py `center_trim(tensor, reference)`: `delta = size - reference`; `tensor[..., delta // 2 : -(delta - delta // 2)]` (whole if 0). */
function centerTrim(stems: StemPlanes, length: number): StemPlanes {
  return Object.fromEntries(
    Object.entries(stems).map(([stem, planes]) => {
      const delta = (planes[0]?.length ?? 0) - length;
      return [stem, planes.map((plane) => plane.slice(Math.floor(delta / 2), Math.floor(delta / 2) + length))];
    }),
  );
}

/** Options of {@link applyModel}, named as demucs names them. */
export interface ApplyOptions {
  /** `segment` in seconds (None: the model's own, i.e. its window). */
  segment?: number;
  overlap?: number;
  transitionPower?: number;
  /** The offsets `random.randint(0, max_shift)` drew, one per shift (empty: shifts = 0). */
  shiftOffsets?: readonly number[];
}

/** `apply_model(model, mix, shifts, split=True, overlap, transition_power, segment)` for one (non-bag) model. */
export async function applyModel(model: SeparationModel, mix: readonly Float32Array[], options: ApplyOptions = {}): Promise<StemPlanes> {
  const root: TensorChunk = { tensor: [...mix], offset: 0, length: mix[0]?.length ?? 0 };
  return apply(model, root, { ...options, shiftOffsets: options.shiftOffsets ?? [] }, true, true);
}

async function apply(
  model: SeparationModel,
  mix: TensorChunk,
  options: ApplyOptions,
  shifts: boolean,
  split: boolean,
): Promise<StemPlanes> {
  const rate = model.sampleRate;
  const length = mix.length;
  const offsets = options.shiftOffsets ?? [];
  if (shifts && offsets.length > 0) {
    // `max_shift = int(0.5 * model.samplerate)`; `padded_mix = mix.padded(length + 2 * max_shift)`;
    // `shifted = TensorChunk(padded_mix, offset, length + max_shift - offset)`; `out += shifted_out[..., max_shift - offset:]`; `out /= shifts`.
    const maxShift = Math.floor(0.5 * rate);
    const paddedMix: TensorChunk = { tensor: padded(mix, length + 2 * maxShift), offset: 0, length: length + 2 * maxShift };
    const sum = zeros(model, mix.tensor.length, length);
    for (const offset of offsets) {
      const shifted = chunkOf(paddedMix, offset, length + maxShift - offset);
      const out = await apply(model, shifted, options, false, split);
      for (const stem of model.stems) {
        (out[stem] as Planes).forEach((plane, c) => {
          const target = (sum[stem] as Planes)[c] as Float32Array;
          for (let i = 0; i < length; i++) target[i] = (target[i] as number) + (plane[maxShift - offset + i] as number);
        });
      }
    }
    for (const planes of Object.values(sum))
      for (const plane of planes) for (let i = 0; i < plane.length; i++) plane[i] = (plane[i] as number) / offsets.length;
    return sum;
  }
  if (split) {
    // `segment_length = int(model.samplerate * segment)`; `stride = int((1 - overlap) * segment_length)`;
    // `offsets = range(0, length, stride)`; the triangle `weight`, `(weight / weight.max())**transition_power`.
    const segmentSeconds = options.segment ?? model.segmentFrames / rate;
    const segmentLength = Math.floor(rate * segmentSeconds + 1e-9);
    const stride = Math.floor((1 - (options.overlap ?? 0.25)) * segmentLength);
    const half = Math.floor(segmentLength / 2);
    const raw = Array.from({ length: segmentLength }, (_, i) => (i < half ? i + 1 : segmentLength - i));
    const max = Math.max(...raw);
    const weight = raw.map((w) => (w / max) ** (options.transitionPower ?? 1));
    const out = zeros(model, mix.tensor.length, length, Float64Array);
    const sumWeight = new Float64Array(length);
    for (let offset = 0; offset < length; offset += stride) {
      // `chunk = TensorChunk(mix, offset, segment_length)`; `out[..., offset:offset + segment_length] += weight[:chunk_length] * chunk_out`.
      const chunk = chunkOf(mix, offset, segmentLength);
      const chunkOut = await apply(model, chunk, options, false, false);
      const chunkLength = chunk.length;
      for (const stem of model.stems) {
        (chunkOut[stem] as Planes).forEach((plane, c) => {
          const target = (out[stem] as unknown as Float64Array[])[c] as Float64Array;
          for (let i = 0; i < chunkLength; i++)
            target[offset + i] = (target[offset + i] as number) + (weight[i] as number) * (plane[i] as number);
        });
      }
      for (let i = 0; i < chunkLength; i++) sumWeight[offset + i] = (sumWeight[offset + i] as number) + (weight[i] as number);
    }
    // `out /= sum_weight`
    return Object.fromEntries(
      model.stems.map((stem) => [
        stem,
        (out[stem] as unknown as Float64Array[]).map((plane) => Float32Array.from(plane, (v, i) => v / (sumWeight[i] as number))),
      ]),
    );
  }
  // `if isinstance(model, HTDemucs) and segment is not None: valid_length = int(segment * model.samplerate)`
  // `elif hasattr(model, 'valid_length'): valid_length = model.valid_length(length)` (HTDemucs: the training length);
  // `padded_mix = mix.padded(valid_length)`; `out = model(padded_mix)`; `return center_trim(out, length)`.
  const validLength = options.segment !== undefined ? Math.floor(options.segment * rate + 1e-9) : model.segmentFrames;
  return centerTrim(await forward(model, padded(mix, validLength)), length);
}

function zeros(
  model: SeparationModel,
  channels: number,
  length: number,
  type: typeof Float32Array | typeof Float64Array = Float32Array,
): StemPlanes {
  return Object.fromEntries(model.stems.map((stem) => [stem, Array.from({ length: channels }, () => new type(length))])) as StemPlanes;
}

/**
 * api.py `Separator.separate_tensor`: `ref = wav.mean(0)`; `wav -= ref.mean()`;
 * `wav /= ref.std() + 1e-8`; `out = apply_model(...)`; `out *= ref.std() + 1e-8`;
 * `out += ref.mean()`. `ref.std()` is torch's unbiased estimate. The tensors are float32.
 */
export function separateTensor(model: SeparationModel, wav: readonly Float32Array[], options: ApplyOptions = {}): Promise<StemPlanes> {
  return separateTensorWith((input) => applyModel(model, input, options), wav);
}

/** {@link separateTensor} around any apply (a bag's, for one). */
export async function separateTensorWith(
  apply: (wav: readonly Float32Array[]) => Promise<StemPlanes>,
  wav: readonly Float32Array[],
): Promise<StemPlanes> {
  const length = wav[0]?.length ?? 0;
  const ref = Float32Array.from({ length }, (_, i) => wav.reduce((sum, plane) => sum + (plane[i] as number), 0) / wav.length);
  const mean = ref.reduce((a, b) => a + b, 0) / length;
  const std = Math.sqrt(ref.reduce((a, b) => a + (b - mean) ** 2, 0) / (length - 1));
  const normalised = wav.map((plane) => Float32Array.from(plane, (v) => (v - mean) / (std + 1e-8)));
  const out = await apply(normalised);
  for (const planes of Object.values(out))
    for (const plane of planes) for (let i = 0; i < plane.length; i++) plane[i] = (plane[i] as number) * (std + 1e-8) + mean;
  return out;
}

/**
 * `apply_model` on a `BagOfModels`: each member over the whole track
 * (`res = apply_model(sub_model, mix, **kwargs)`), then `out[:, k, :, :] *=
 * inst_weight`, `totals[k] += inst_weight`, `estimates += out`, and finally
 * `estimates[:, k, :, :] /= totals[k]`.
 */
export async function applyBag(
  members: readonly SeparationModel[],
  weights: readonly (readonly number[])[],
  mix: readonly Float32Array[],
  options: ApplyOptions = {},
): Promise<StemPlanes> {
  const stems = (members[0] as SeparationModel).stems;
  const length = mix[0]?.length ?? 0;
  const estimates = Object.fromEntries(stems.map((stem) => [stem, mix.map(() => new Float64Array(length))])) as unknown as Record<
    string,
    Float64Array[]
  >;
  const totals = stems.map(() => 0);
  for (const [m, member] of members.entries()) {
    const out = await applyModel(member, mix, options);
    stems.forEach((stem, k) => {
      const weight = (weights[m] as number[])[k] as number;
      totals[k] = (totals[k] as number) + weight;
      (out[stem] as Float32Array[]).forEach((plane, c) => {
        const target = (estimates[stem] as Float64Array[])[c] as Float64Array;
        for (let i = 0; i < length; i++) target[i] = (target[i] as number) + weight * (plane[i] as number);
      });
    });
  }
  return Object.fromEntries(
    stems.map((stem, k) => [
      stem,
      (estimates[stem] as Float64Array[]).map((plane) => Float32Array.from(plane, (v) => v / (totals[k] as number))),
    ]),
  );
}

/** The segment-per-window apply the tests used before (`segment` in frames, no shifts): kept as a thin wrapper. */
export function referenceApply(model: SeparationModel, mix: readonly Float32Array[], segment: number, overlap = 0.25, transitionPower = 1) {
  return applyModel(model, mix, {
    ...(segment === model.segmentFrames ? {} : { segment: segment / model.sampleRate }),
    overlap,
    transitionPower,
  });
}

/** Largest absolute difference between two sets of stems. */
export function worstStemDifference(a: StemPlanes, b: StemPlanes): number {
  let worst = 0;
  for (const [stem, planes] of Object.entries(a)) {
    planes.forEach((plane, c) => {
      const other = (b[stem] as Float32Array[])[c] as Float32Array;
      if (other.length !== plane.length) throw new Error(`${stem}[${c}]: ${plane.length} vs ${other.length} frames`);
      for (let i = 0; i < plane.length; i++) worst = Math.max(worst, Math.abs((plane[i] as number) - (other[i] as number)));
    });
  }
  return worst;
}

/** SNR in dB of `estimate` against `reference` over every stem and channel (the "≥ 100 dB" measure). */
export function stemSnr(estimate: StemPlanes, reference: StemPlanes): number {
  let signal = 0;
  let error = 0;
  for (const [stem, planes] of Object.entries(reference)) {
    planes.forEach((plane, c) => {
      const other = (estimate[stem] as Float32Array[])[c] as Float32Array;
      for (let i = 0; i < plane.length; i++) {
        signal += (plane[i] as number) ** 2;
        error += ((plane[i] as number) - (other[i] as number)) ** 2;
      }
    });
  }
  return error === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(signal / error);
}
