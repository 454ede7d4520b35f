import type { BatchJob, JobResult } from '../jobs/kinds';
import type { StorageOptions } from '../storage/storage-router';

/** What a job thread is started with (plain data: it is copied into the thread). */
export interface JobThreadData {
  readonly job: BatchJob;
  readonly jobId: string;
  readonly storage: StorageOptions;
  readonly threads: number;
}

/** Messages from a job thread to the worker's main thread. */
export type JobThreadMessage =
  | { readonly type: 'progress'; readonly fraction: number }
  | { readonly type: 'write'; readonly url: string }
  | { readonly type: 'done'; readonly result: JobResult }
  | { readonly type: 'error'; readonly error: { code: string; message: string; details?: Record<string, unknown> } };

/** The one message the main thread sends: stop. */
export interface JobThreadAbort {
  readonly type: 'abort';
}
