import type { SeparationModel, StemPlanes } from '../src/index';

/**
 * UVR's MDX-Net chunking written out plainly over a whole track
 * (python-audio-separator, audio_separator/separator/architectures/mdx_separator.py
 * `demix`, from UVR's separate.py), independent of the streaming engine.
 * `runModel` is one chunk through STFT, model and iSTFT (`run_model`), which
 * OnnxMdxNet.infer does (its primary stem already × compensate: the
 * compensation is a constant gain after a linear overlap-add, so applying it
 * per chunk or after `result / divider` is the same).
 */
export async function uvrDemix(model: SeparationModel, mix: readonly Float32Array[], overlap = 0.25): Promise<StemPlanes> {
  const trim = model.chunking?.kind === 'uvr' ? model.chunking.trim : 0;
  const chunkSize = model.segmentFrames; // `self.hop_length * (self.segment_size - 1)`
  const length = mix[0]?.length ?? 0;
  // `gen_size = chunk_size - 2 * self.trim`; `pad = gen_size + self.trim - ((mix.shape[-1]) % gen_size)`
  const genSize = chunkSize - 2 * trim;
  const pad = genSize + trim - (length % genSize);
  // `mixture = np.concatenate((np.zeros((2, self.trim)), mix, np.zeros((2, pad))), 1)`
  const mixtureLength = trim + length + pad;
  const mixture = mix.map((plane) => {
    const out = new Float32Array(mixtureLength);
    out.set(plane, trim);
    return out;
  });
  // `step = int((1 - overlap) * chunk_size)`
  const step = Math.floor((1 - overlap) * chunkSize);
  const result: Record<string, Float64Array[]> = Object.fromEntries(
    model.stems.map((stem) => [stem, mix.map(() => new Float64Array(mixtureLength))]),
  );
  const divider = new Float64Array(mixtureLength);
  for (let i = 0; i < mixtureLength; i += step) {
    // `end = min(i + chunk_size, mixture.shape[-1])`; `window = np.hanning(chunk_size_actual)` when overlap != 0
    const start = i;
    const end = Math.min(i + chunkSize, mixtureLength);
    const actual = end - start;
    const window = Float64Array.from({ length: actual }, (_, n) =>
      overlap === 0 ? 1 : actual === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (actual - 1)),
    );
    // `mix_part_` zero-padded to chunk_size
    const part = mixture.map((plane) => {
      const out = new Float32Array(chunkSize);
      out.set(plane.subarray(start, end));
      return out;
    });
    const out = await model.infer(part);
    // `tar_waves[..., :chunk_size_actual] *= window`; `divider[..., start:end] += window`; `result[..., start:end] += tar_waves[..., : end - start]`
    for (const stem of model.stems) {
      (out[stem] as Float32Array[]).forEach((plane, c) => {
        const target = (result[stem] as Float64Array[])[c] as Float64Array;
        for (let n = 0; n < actual; n++) target[start + n] = (target[start + n] as number) + (plane[n] as number) * (window[n] as number);
      });
    }
    for (let n = 0; n < actual; n++) divider[start + n] = (divider[start + n] as number) + (window[n] as number);
  }
  // `tar_waves = result / divider`; `[:, :, self.trim : -self.trim]`; `[:, : mix.shape[-1]]`
  return Object.fromEntries(
    model.stems.map((stem) => [
      stem,
      (result[stem] as Float64Array[]).map((plane) =>
        Float32Array.from({ length }, (_, n) => (plane[trim + n] as number) / (divider[trim + n] as number)),
      ),
    ]),
  );
}
