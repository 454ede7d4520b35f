import type { Worker } from 'node:worker_threads';
import { type SluiceErrorCode, SluiceError, abortError } from '@sluice/core';
import { startPackageWorker } from '@sluice/core/internal';
import type { BatchJob, JobResult } from '../jobs/kinds';
import type { StorageOptions } from '../storage/storage-router';
import type { RunJobOptions } from './run-job';
import type { JobThreadMessage, JobThreadRequest } from './thread-protocol';

/** How long a stopped job may take to clean up (remove its staging area) before its thread is terminated. */
const STOP_GRACE_MS = 10_000;

/** Options of a job run in a thread: those of {@link runJob}, with storage as plain options (they cross into the thread). */
export type ThreadJobOptions = Omit<RunJobOptions, 'storage'> & { readonly storage?: StorageOptions };

/**
 * A worker thread that runs batch jobs, one at a time. Decoding, encoding in
 * WebAssembly, the separation pipeline and metrics all run there, so the
 * owner's event loop (the one BullMQ renews job locks from) never waits on
 * audio work. A thread that crashed or had to be terminated is not
 * {@link usable} again; make a new one.
 */
export class JobThread {
  readonly #thread: Worker;
  #dead = false;
  #current: { settle(error: Error | undefined, result?: JobResult): void; options: ThreadJobOptions } | undefined;

  constructor() {
    this.#thread = startPackageWorker(import.meta.url, 'job-thread', './job-thread.ts');
    this.#thread.unref();
    this.#thread.on('message', (message: JobThreadMessage) => this.#onMessage(message));
    this.#thread.on('error', (error) => this.#die(SluiceError.wrap(error, 'E_WORKER', 'the job thread crashed')));
    this.#thread.on('exit', (code) => this.#die(new SluiceError('E_WORKER', `the job thread exited (code ${code}) without a result`)));
  }

  /** False once the thread crashed, was terminated, or is running a job. */
  get usable(): boolean {
    return !this.#dead && this.#current === undefined;
  }

  /** Runs one job; rejects with the job's own SluiceError (code, message, details) when it fails. */
  run(job: BatchJob, options: ThreadJobOptions): Promise<JobResult> {
    if (!this.usable) return Promise.reject(new SluiceError('E_INTERNAL', 'this job thread is busy or gone'));
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal, 'job'));
    return new Promise<JobResult>((resolve, reject) => {
      let grace: NodeJS.Timeout | undefined;
      const onAbort = () => {
        const reason = signal?.reason;
        this.#post({ type: 'abort', reason: SluiceError.isInstance(reason) ? reason.message : 'the job was stopped' });
        // A job that does not stop in time takes its thread with it.
        grace = setTimeout(() => void this.terminate(), STOP_GRACE_MS);
        grace.unref();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#current = {
        options,
        settle: (error, result) => {
          clearTimeout(grace);
          signal?.removeEventListener('abort', onAbort);
          this.#current = undefined;
          if (error === undefined) resolve(result as JobResult);
          else reject(error);
        },
      };
      this.#thread.ref();
      this.#post({ type: 'run', job, jobId: options.jobId, storage: options.storage ?? {}, threads: options.threads ?? 1 });
    }).finally(() => this.#thread.unref());
  }

  /** Ends the thread (a running job is cut off). */
  async terminate(): Promise<void> {
    this.#dead = true;
    await this.#thread.terminate();
  }

  #post(message: JobThreadRequest): void {
    this.#thread.postMessage(message);
  }

  #onMessage(message: JobThreadMessage): void {
    const current = this.#current;
    if (current === undefined) return;
    if (message.type === 'progress') current.options.onProgress?.(message.fraction);
    else if (message.type === 'write') current.options.onWrite?.(message.url);
    else if (message.type === 'done') current.settle(undefined, message.result);
    else {
      const { code, message: text, details } = message.error;
      current.settle(new SluiceError(code as SluiceErrorCode, text, details === undefined ? {} : { details }));
    }
  }

  #die(error: SluiceError): void {
    this.#dead = true;
    const current = this.#current;
    if (current === undefined) return;
    current.settle(current.options.signal?.aborted ? abortError(current.options.signal, 'job') : error);
  }
}

/** {@link runJob} in a worker thread of its own, started for this job and ended after it. */
export async function runJobInThread(job: BatchJob, options: ThreadJobOptions): Promise<JobResult> {
  const thread = new JobThread();
  try {
    return await thread.run(job, options);
  } finally {
    await thread.terminate();
  }
}
