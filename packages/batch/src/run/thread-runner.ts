import { type SluiceErrorCode, SluiceError, abortError, startPackageWorker } from '@sluice/core';
import type { BatchJob, JobResult } from '../jobs/kinds';
import type { StorageOptions } from '../storage/storage-router';
import type { RunJobOptions } from './run-job';
import type { JobThreadData, JobThreadMessage } from './thread-protocol';

/** How long a stopped job thread may take to clean up (remove its staging area) before it is terminated. */
const STOP_GRACE_MS = 10_000;

/**
 * {@link runJob} in a worker thread of its own. Decoding, separation glue,
 * encoding in WebAssembly and metrics all run there, so the caller's event
 * loop (the one BullMQ renews job locks from) never waits on audio work.
 */
export function runJobInThread(
  job: BatchJob,
  options: Omit<RunJobOptions, 'storage'> & { readonly storage?: StorageOptions },
): Promise<JobResult> {
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal, 'job'));
  const data: JobThreadData = { job, jobId: options.jobId, storage: options.storage ?? {}, threads: options.threads ?? 1 };
  const thread = startPackageWorker(import.meta.url, 'job-thread', './job-thread.ts', { workerData: data });
  return new Promise<JobResult>((resolve, reject) => {
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(grace);
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = () => {
      thread.postMessage({ type: 'abort' });
      grace = setTimeout(() => void thread.terminate(), STOP_GRACE_MS);
      grace.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    thread.on('message', (message: JobThreadMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.fraction);
      else if (message.type === 'write') options.onWrite?.(message.url);
      else if (message.type === 'done') settle(() => resolve(message.result));
      else {
        const { code, message: text, details } = message.error;
        settle(() => reject(new SluiceError(code as SluiceErrorCode, text, details === undefined ? {} : { details })));
      }
    });
    thread.on('error', (error) => settle(() => reject(SluiceError.wrap(error, 'E_WORKER', 'the job thread crashed'))));
    thread.on('exit', (code) => {
      settle(() =>
        reject(
          signal?.aborted
            ? abortError(signal, 'job')
            : new SluiceError('E_WORKER', `the job thread exited (code ${code}) without a result`),
        ),
      );
    });
  });
}
