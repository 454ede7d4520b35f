import type { Worker, WorkerOptions } from 'node:worker_threads';
/** Starts a worker thread on a TypeScript file, registering tsx inside it. */
export declare function startTsWorker(file: URL | string, options?: WorkerOptions): Worker;
