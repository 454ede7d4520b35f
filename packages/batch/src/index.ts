/**
 * @packageDocumentation
 * `@sluice/batch`: separation, transcoding, speech and metrics for whole
 * catalogs across many machines. BullMQ queues on Redis distribute the jobs;
 * `sluice worker` processes run them, each job in a thread of its own so the
 * job's lock is renewed however heavy the audio work; inputs and outputs are
 * `file://` (shared storage) or `s3://` URLs, and outputs appear under their
 * final names only when complete.
 */
export type { BatchJob, CaptionKind, JobKind, JobResult, MetricsJob, SeparateJob, SpeakJob, TranscodeJob } from './jobs/kinds';
export { JOB_KINDS } from './jobs/kinds';
export { validateJob } from './jobs/validate';
export { jobIdOf } from './jobs/job-id';
export { type Manifest, manifestOf } from './jobs/outputs';
export { type CatalogOptions, planCatalog } from './jobs/catalog';
export { type RunJobOptions, runJob } from './run/run-job';
export { runJobInThread } from './run/thread-runner';
export { Storage, type StorageOptions } from './storage/storage-router';
export type { S3StoreOptions } from './storage/s3-store';
export { type StorageLocation, joinStorageUrl, parseStorageUrl, toStorageUrl } from './storage/storage-url';
export { type BatchClientOptions, type BatchStatus, BatchClient, type SubmitOptions, type SubmitResult } from './queue/client';
export type { BatchRecord, JobFailure } from './queue/batch-store';
export { type BatchWorkerEvents, type BatchWorkerOptions, BatchWorker } from './queue/worker';
export { isRetryable } from './queue/retry';
export type { RedisInput } from './queue/connection';
