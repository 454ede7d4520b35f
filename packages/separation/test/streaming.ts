import { concatPlanes, createAudioChunk } from '@sluice/core';
import { SeparationProcessor, type SeparationProcessorOptions, type SeparationModel, type StemPlanes } from '../src/index';

/** Streams `mix` through a SeparationProcessor in chunks of `chunkFrames` and joins the stems it emits. */
export async function streamThrough(
  model: SeparationModel,
  mix: readonly Float32Array[],
  chunkFrames: number,
  options: SeparationProcessorOptions = {},
): Promise<{ stems: StemPlanes; startFrames: number[] }> {
  const processor = new SeparationProcessor(model, options);
  const format = processor.open({ sampleRate: model.sampleRate, channels: mix.length });
  const length = mix[0]?.length ?? 0;
  const parts: StemPlanes[] = [];
  const startFrames: number[] = [];
  const take = (chunks: Awaited<ReturnType<SeparationProcessor['process']>>) => {
    for (const chunk of chunks) {
      startFrames.push(chunk.startFrame);
      parts.push(chunk.stems as StemPlanes);
    }
  };
  for (let at = 0; at < length; at += chunkFrames) {
    const planes = mix.map((plane) => plane.slice(at, Math.min(length, at + chunkFrames)));
    take(await processor.process(createAudioChunk({ format, planes })));
  }
  take(await processor.flush());
  const stems: StemPlanes = {};
  for (const stem of model.stems)
    stems[stem] = concatPlanes(
      parts.map((part) => part[stem] as Float32Array[]),
      mix.length,
    );
  return { stems, startFrames };
}
