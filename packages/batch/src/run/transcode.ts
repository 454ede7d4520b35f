import { join } from 'node:path';
import { transcode } from '@sluice/writers';
import type { TranscodeJob } from '../jobs/kinds';
import { containerOf } from '../jobs/outputs';
import { baseNameOf } from '../storage/storage-url';
import { type RunContext, type RunOutput, localPath } from './context';

/** A transcode job: one file in, one out, streaming (ffmpeg decodes; the encoder is the one writers picks). */
export async function runTranscode(job: TranscodeJob, context: RunContext): Promise<RunOutput> {
  const name = baseNameOf(job.out);
  const result = await transcode(localPath(context, job.input), join(context.stagePath, name), {
    container: containerOf(job),
    ...(job.bitrateKbps === undefined ? {} : { bitrateKbps: job.bitrateKbps }),
    ...(job.sampleRate === undefined ? {} : { sampleRate: job.sampleRate }),
    ...(job.channels === undefined ? {} : { channels: job.channels }),
    ...(job.sampleFormat === undefined ? {} : { sampleFormat: job.sampleFormat }),
    signal: context.signal,
  });
  return { files: [{ name, url: job.out }], audioSeconds: result.stats.audioSeconds };
}
