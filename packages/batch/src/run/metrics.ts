import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CollectSink, Pipeline } from '@sluice/core';
import { SeparationMetrics, metricsToJson } from '@sluice/metrics';
import { FileSource } from '@sluice/writers';
import type { MetricsJob } from '../jobs/kinds';
import { baseNameOf } from '../storage/storage-url';
import { type RunContext, type RunOutput, localPath } from './context';

async function decode(path: string, signal: AbortSignal, format: { sampleRate?: number; channels?: number } = {}): Promise<CollectSink> {
  const sink = new CollectSink();
  await new Pipeline({ source: await FileSource.open(path, format), sink, signal }).wait();
  return sink;
}

/** A metrics job: every estimate decoded at its reference's rate and channels, scored, written as JSON. */
export async function runMetrics(job: MetricsJob, context: RunContext): Promise<RunOutput> {
  const estimates: Record<string, Float32Array[]> = {};
  const references: Record<string, Float32Array[]> = {};
  let sampleRate = 44100;
  let audioSeconds = 0;
  const stems = Object.keys(job.references);
  for (const [index, stem] of stems.entries()) {
    const reference = await decode(localPath(context, job.references[stem] as string), context.signal);
    const format = reference.format as { sampleRate: number; channels: number };
    sampleRate = format.sampleRate;
    references[stem] = reference.planes;
    estimates[stem] = (await decode(localPath(context, job.estimates[stem] as string), context.signal, format)).planes;
    audioSeconds = Math.max(audioSeconds, (reference.planes[0]?.length ?? 0) / sampleRate);
    context.onProgress((index + 1) / (stems.length + 1));
  }
  const report = await new SeparationMetrics({ truncate: true, ...(job.bss ? { bss: { sampleRate } } : {}) }).compute(
    estimates,
    references,
  );
  const name = baseNameOf(job.out);
  await writeFile(join(context.stagePath, name), `${JSON.stringify(metricsToJson(report), null, 2)}\n`);
  return { files: [{ name, url: job.out }], audioSeconds };
}
