import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError, abortError } from '@sluice/core';
import { assertNotAnInput } from '@sluice/writers';
import { inputsOf } from '../jobs/job-id';
import type { BatchJob, JobResult } from '../jobs/kinds';
import { type Manifest, destinationOf, manifestOf } from '../jobs/outputs';
import { findFinished } from './finished';
import { validateJob } from '../jobs/validate';
import { runToken } from '../storage/file-store';
import type { FetchedInput } from '../storage/storage';
import { Storage, type StorageOptions } from '../storage/storage-router';
import { baseNameOf, parseStorageUrl } from '../storage/storage-url';
import type { RunContext, RunOutput } from './context';
import { runMetrics } from './metrics';
import { runSeparate } from './separate';
import { runSpeak } from './speak';
import { runTranscode } from './transcode';

/** Options of {@link runJob}. */
export interface RunJobOptions {
  /** The job's id (from {@link jobIdOf}); names its staging area and its manifest's contents. */
  readonly jobId: string;
  /** Storage to read and write through (default: `file://` here, `s3://` through the SDK's defaults). */
  readonly storage?: Storage | StorageOptions;
  /** Cancels the job; nothing is left under the final names. */
  readonly signal?: AbortSignal;
  /** Worker threads one separation may use (default 1). */
  readonly threads?: number;
  /** Fraction done, 0 to 1, about once a second for long jobs. */
  readonly onProgress?: (fraction: number) => void;
  /** Called with each final URL as it is written. */
  readonly onWrite?: (url: string) => void;
}

/**
 * Refuses to put an output where one of the job's inputs is: the same file by any path (writers' guard compares
 * device and inode, so symlinks and hardlinks are caught), or the same object. The staging name hides this from
 * the sinks' own guard, so it is checked here, before each file is moved into place.
 */
async function refuseInputs(output: string, inputs: readonly string[]): Promise<void> {
  const target = parseStorageUrl(output);
  if (target.scheme === 's3') {
    if (inputs.includes(output)) throw new SluiceError('E_INVALID_ARGUMENT', `refusing to write ${output}: it is one of the job's inputs`);
    return;
  }
  const paths = inputs.flatMap((url) => {
    const location = parseStorageUrl(url);
    return location.scheme === 'file' ? [location.path] : [];
  });
  await assertNotAnInput(target.path, paths);
}

function run(job: BatchJob, context: RunContext): Promise<RunOutput> {
  switch (job.kind) {
    case 'separate':
      return runSeparate(job, context);
    case 'transcode':
      return runTranscode(job, context);
    case 'speak':
      return runSpeak(job, context);
    case 'metrics':
      return runMetrics(job, context);
  }
}

/**
 * Runs one batch job here and now, with no queue: reads its inputs, writes
 * every output under a staging name and moves each into place when all are
 * written, the manifest last. A job whose manifest is already there (with its
 * id and outputs) is not run again: the result says `skipped`. This is what a
 * worker runs for each job it takes, in a thread of its own.
 */
export async function runJob(job: BatchJob, options: RunJobOptions): Promise<JobResult> {
  validateJob(job);
  const { jobId } = options;
  const signal = options.signal ?? new AbortController().signal;
  const storage = options.storage instanceof Storage ? options.storage : new Storage(options.storage ?? {});
  const started = performance.now();
  try {
    const done = await findFinished(job, jobId, storage);
    if (done !== undefined)
      return { jobId, outputs: done.outputs, audioSeconds: done.audioSeconds, processingSeconds: done.processingSeconds, skipped: true };
    const inputUrls = inputsOf(job);
    // The outputs known before the work (the stems of a separation are known after it): refused before anything runs.
    if (job.kind !== 'separate') await refuseInputs(job.out, inputUrls);
    const destination = destinationOf(job);
    const store = storage.for(destination);
    // A run that crashed (a worker killed mid-job) left its staging area: this run owns the job now.
    await store.sweep(destination, jobId);
    const stage = await store.stage(destination, runToken(jobId));
    const fetched: FetchedInput[] = [];
    try {
      const inputs = new Map<string, string>();
      for (const url of inputUrls) {
        const input = await storage.for(url).fetch(url, signal);
        fetched.push(input);
        inputs.set(url, input.path);
      }
      const output = await run(job, {
        inputs,
        stagePath: stage.path,
        signal,
        threads: options.threads ?? 1,
        onProgress: options.onProgress ?? (() => undefined),
      });
      if (signal.aborted) throw abortError(signal, 'job');
      const outputs: string[] = [];
      for (const file of output.files) await refuseInputs(file.url, inputUrls);
      for (const file of output.files) {
        await stage.commit(file.name, file.url);
        outputs.push(file.url);
        options.onWrite?.(file.url);
      }
      const manifestUrl = manifestOf(job);
      const processingSeconds = (performance.now() - started) / 1000;
      const manifest: Manifest = {
        jobId,
        outputs,
        audioSeconds: output.audioSeconds,
        processingSeconds,
        finishedAt: new Date().toISOString(),
      };
      const manifestName = baseNameOf(manifestUrl);
      await writeFile(join(stage.path, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
      await stage.commit(manifestName, manifestUrl);
      return { jobId, outputs: [...outputs, manifestUrl], audioSeconds: output.audioSeconds, processingSeconds, skipped: false };
    } finally {
      await stage.discard();
      await Promise.all(fetched.map((input) => input.release()));
    }
  } catch (error) {
    if (signal.aborted) throw abortError(signal, 'job');
    throw SluiceError.isInstance(error) ? error : SluiceError.wrap(error, 'E_INTERNAL', `job ${jobId} failed`);
  } finally {
    if (!(options.storage instanceof Storage)) storage.close();
  }
}
