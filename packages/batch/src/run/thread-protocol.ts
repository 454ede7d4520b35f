import type { BatchJob, JobResult } from '../jobs/kinds';
import type { StorageOptions } from '../storage/storage-router';

/** One job for a job thread (plain data: it is copied into the thread). */
export interface JobThreadRun {
  readonly type: 'run';
  readonly job: BatchJob;
  readonly jobId: string;
  readonly storage: StorageOptions;
  readonly threads: number;
}

/** Stop the job running now. */
export interface JobThreadAbort {
  readonly type: 'abort';
  /** Why, as the job's error will say it (a cancelled batch, a draining worker). */
  readonly reason: string;
}

/** Messages from the worker's main thread to a job thread. */
export type JobThreadRequest = JobThreadRun | JobThreadAbort;

/** Messages from a job thread to the worker's main thread. */
export type JobThreadMessage =
  | { readonly type: 'progress'; readonly fraction: number }
  | { readonly type: 'write'; readonly url: string }
  | { readonly type: 'done'; readonly result: JobResult }
  | { readonly type: 'error'; readonly error: { code: string; message: string; details?: Record<string, unknown> } };
