import { basename } from 'node:path';
import { Pipeline, SluiceError } from '@sluice/core';
import { type SeparationModel, SeparationProcessor, ThreadedDspSeparator, loadModel } from '@sluice/separation';
import { FileSource, MultiFileSink, probe } from '@sluice/writers';
import type { SeparateJob } from '../jobs/kinds';
import { joinStorageUrl } from '../storage/storage-url';
import { type RunContext, type RunOutput, localPath } from './context';

async function modelFor(job: SeparateJob, context: RunContext): Promise<SeparationModel> {
  if (job.model === 'dsp') return new ThreadedDspSeparator({ workers: context.threads });
  const session = { intraOpNumThreads: context.threads };
  // A model file on shared storage was fetched with the inputs; a name is looked up in the registry's cache.
  return loadModel(job.model.includes('://') ? localPath(context, job.model) : job.model, { session });
}

/** A separation job: the track streamed through the separator into one file per stem. */
export async function runSeparate(job: SeparateJob, context: RunContext): Promise<RunOutput> {
  const input = localPath(context, job.input);
  const model = await modelFor(job, context);
  try {
    const unknown = (job.stems ?? []).filter((stem) => !model.stems.includes(stem));
    if (unknown.length > 0)
      throw new SluiceError('E_INVALID_ARGUMENT', `no stem ${unknown.join(', ')}: ${model.name} gives ${model.stems.join(', ')}`);
    const duration = await probe(input).then(
      (info) => info.durationSeconds,
      () => Number.NaN,
    );
    const sink = new MultiFileSink(context.stagePath, {
      container: job.container ?? 'wav',
      ...(job.sampleFormat === undefined ? {} : { sampleFormat: job.sampleFormat }),
      ...(job.stems === undefined ? {} : { stems: [...job.stems] }),
    });
    const processor = new SeparationProcessor(model, job.segmentSeconds === undefined ? {} : { segmentSeconds: job.segmentSeconds });
    const pipeline = new Pipeline({
      source: await FileSource.open(input, { sampleRate: model.sampleRate }),
      processors: [processor],
      sink,
      signal: context.signal,
      progressIntervalMs: 1000,
    });
    pipeline.on('progress', (stats) => {
      if (Number.isFinite(duration) && duration > 0) context.onProgress(Math.min(1, stats.audioSeconds / duration));
    });
    const stats = await pipeline.wait();
    const files = Object.values(sink.files).map((path) => ({ name: basename(path), url: joinStorageUrl(job.out, basename(path)) }));
    return { files, audioSeconds: stats.audioSeconds };
  } finally {
    await model.close();
  }
}
