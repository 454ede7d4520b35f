import type { SeparationModel, StemPlanes } from '../src/index';

/**
 * demucs' `apply_model(split=True)` written out plainly over a whole track,
 * line by line from demucs/apply.py, independent of the streaming engine:
 * offsets every stride, each chunk centred in the model window with the
 * track's own samples around it (TensorChunk.padded), the output
 * centre-trimmed (center_trim), weighted by the triangle and normalised.
 */
export async function referenceApply(
  model: SeparationModel,
  mix: readonly Float32Array[],
  segment: number,
  overlap = 0.25,
  transitionPower = 1,
): Promise<StemPlanes> {
  const length = mix[0]?.length ?? 0;
  const channels = mix.length;
  const window = model.segmentFrames;
  const stride = Math.floor((1 - overlap) * segment);
  const half = Math.floor(segment / 2);
  const raw = [...Array.from({ length: half }, (_, i) => i + 1), ...Array.from({ length: segment - half }, (_, i) => segment - half - i)];
  const max = Math.max(...raw);
  const weight = raw.map((w) => (w / max) ** transitionPower);
  const out: StemPlanes = Object.fromEntries(
    model.stems.map((stem) => [stem, Array.from({ length: channels }, () => new Float64Array(length))]),
  ) as never;
  const sumWeight = new Float64Array(length);
  for (let offset = 0; offset < length; offset += stride) {
    const chunkLength = Math.min(length - offset, segment);
    const delta = window - chunkLength;
    const start = offset - Math.floor(delta / 2);
    const input = mix.map((plane) =>
      Float32Array.from({ length: window }, (_, i) => (start + i >= 0 && start + i < length ? (plane[start + i] as number) : 0)),
    );
    const result = await model.infer(input);
    const trim = Math.floor(delta / 2);
    for (const stem of model.stems) {
      for (let c = 0; c < channels; c++) {
        const target = (out[stem] as unknown as Float64Array[])[c] as Float64Array;
        const source = (result[stem] as Float32Array[])[c] as Float32Array;
        for (let i = 0; i < chunkLength; i++)
          target[offset + i] = (target[offset + i] as number) + (weight[i] as number) * (source[trim + i] as number);
      }
    }
    for (let i = 0; i < chunkLength; i++) sumWeight[offset + i] = (sumWeight[offset + i] as number) + (weight[i] as number);
  }
  const stems: StemPlanes = {};
  for (const stem of model.stems) {
    stems[stem] = (out[stem] as unknown as Float64Array[]).map((plane) => Float32Array.from(plane, (v, i) => v / (sumWeight[i] as number)));
  }
  return stems;
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
