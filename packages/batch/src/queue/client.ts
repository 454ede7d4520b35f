import { randomBytes } from 'node:crypto';
import { SluiceError } from '@sluice/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIdOf, inputsOf } from '../jobs/job-id';
import { type BatchJob, JOB_KINDS, type JobKind } from '../jobs/kinds';
import { validateJob } from '../jobs/validate';
import { findFinished } from '../run/finished';
import { Storage, type StorageOptions } from '../storage/storage-router';
import { type BatchRecord, BatchStore, type JobFailure } from './batch-store';
import { type RedisInput, readyRedis } from './connection';
import { DEFAULT_PREFIX, type QueuedJob, kindOfJobId, queueNameOf } from './names';

/** Options of a {@link BatchClient}. */
export interface BatchClientOptions {
  /** Redis: a URL or a connected ioredis client (which the client then does not close). */
  readonly redis: RedisInput;
  /** Key prefix of the queues and batch records (default `sluice`): one Redis can hold several independent farms. */
  readonly prefix?: string;
  /** How to reach `s3://` inputs (job ids hash their content's ETag). */
  readonly storage?: StorageOptions;
}

/** Options of {@link BatchClient.submit}. */
export interface SubmitOptions {
  /** A name to show in `sluice batch status` (default: the batch id). */
  readonly name?: string;
  /** Attempts per job for failures worth retrying (default 3); permanent failures get one. */
  readonly attempts?: number;
  /** First retry delay, doubled at each attempt (default 5000 ms). */
  readonly backoffMs?: number;
}

/** What {@link BatchClient.submit} did with each job. */
export interface SubmitResult {
  readonly batchId: string;
  readonly total: number;
  /** Put on the queue now. */
  readonly queued: number;
  /** Already done (a manifest beside their outputs, or a completed job in Redis): nothing runs. */
  readonly alreadyDone: number;
  /** Already waiting or running for an earlier submission: they count for this batch too when they finish. */
  readonly alreadyQueued: number;
  /** Failed in an earlier submission for good: reported as failed here too (`retryFailed` runs them again). */
  readonly failedBefore: number;
}

/** Where a batch stands. */
export interface BatchStatus extends BatchRecord {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  readonly waiting: number;
  /** Fraction done, 0 to 1: finished jobs, and how far each running one has got. */
  readonly progress: number;
  /** Seconds of audio in the jobs this batch ran. */
  readonly audioSeconds: number;
  /** Seconds from the first job's start to the last one's end (or to now, while it runs). */
  readonly elapsedSeconds: number;
  /** Aggregate speed: audio seconds per wall-clock second, all workers together. */
  readonly speed: number;
  /** Estimated seconds until every job has finished, at the rate so far (undefined before the first finishes). */
  readonly etaSeconds: number | undefined;
  /** True when every job is done or failed. */
  readonly finished: boolean;
  /** Failed jobs with their code and message. */
  readonly failures: readonly JobFailure[];
}

const JOB_ID = /^(separate|transcode|speak|metrics)-[0-9a-f]{32}$/;

/**
 * Submits, watches, retries and cancels batches. BullMQ holds the jobs (one
 * queue per kind); the client adds the bookkeeping that makes a batch: which
 * jobs belong to it and how far it has got.
 */
export class BatchClient {
  readonly #options: BatchClientOptions;
  readonly #prefix: string;
  readonly #queues = new Map<JobKind, Queue>();
  readonly #storage: Storage;
  #connection: Promise<{ redis: Redis; owned: boolean; store: BatchStore }> | undefined;

  constructor(options: BatchClientOptions) {
    this.#options = options;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#storage = new Storage(options.storage ?? {});
  }

  async #connect(): Promise<{ redis: Redis; store: BatchStore }> {
    this.#connection ??= readyRedis(this.#options.redis).then(({ redis, owned }) => ({
      redis,
      owned,
      store: new BatchStore(redis, this.#prefix),
    }));
    return this.#connection;
  }

  async #queue(kind: JobKind): Promise<Queue> {
    const { redis } = await this.#connect();
    let queue = this.#queues.get(kind);
    if (queue === undefined) {
      queue = new Queue(queueNameOf(kind), { connection: redis, prefix: this.#prefix });
      // A lost connection is reported as an 'error' event as well as on the calls it holds up, which wait for the
      // reconnection (or fail) by themselves: unheard, BullMQ printed every reconnection attempt to the console.
      queue.on('error', () => undefined);
      this.#queues.set(kind, queue);
    }
    return queue;
  }

  /**
   * Validates every job, names each by a hash of its input and parameters, and
   * queues those not already done, waiting or failed. Nothing is queued when a
   * job is invalid (`E_INVALID_ARGUMENT` says which, by index).
   */
  async submit(jobs: readonly BatchJob[], options: SubmitOptions = {}): Promise<SubmitResult> {
    if (jobs.length === 0) throw new SluiceError('E_INVALID_ARGUMENT', 'a batch needs at least one job');
    jobs.forEach((job, index) => {
      try {
        validateJob(job);
      } catch (error) {
        throw SluiceError.isInstance(error) ? new SluiceError(error.code, `job ${index}: ${error.message}`, { details: { index } }) : error;
      }
    });
    const attempts = options.attempts ?? 3;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100)
      throw new SluiceError('E_INVALID_ARGUMENT', 'attempts must be an integer from 1 to 100');
    const ids = await mapLimited(jobs, 8, (job) => jobIdOf(job, this.#storage));
    const unique = new Map<string, BatchJob>();
    for (const [index, id] of ids.entries()) unique.set(id, jobs[index] as BatchJob);
    const { store } = await this.#connect();
    const batchId = `batch-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const kinds = JOB_KINDS.filter((kind) => [...unique.values()].some((job) => job.kind === kind));
    await store.create(
      { id: batchId, name: options.name ?? batchId, kinds, createdAt: Date.now() },
      [...unique].map(([id, job]) => ({ id, input: inputsOf(job)[0] ?? job.out })),
    );
    let queued = 0;
    const toAdd = new Map<JobKind, Array<{ id: string; job: BatchJob }>>();
    // Each job's standing (a manifest read, a Redis lookup): many at a time, as the catalog's hashing is.
    const standings = await mapLimited([...unique], 16, async ([id, job]) => {
      const manifest = await findFinished(job, id, this.#storage);
      if (manifest !== undefined) {
        await store.finished(id, manifest.audioSeconds, manifest.processingSeconds, false, [batchId]);
        return 'done';
      }
      const existing = await (await this.#queue(job.kind)).getJob(id);
      const state = existing === undefined ? 'absent' : await existing.getState();
      if (state === 'completed') {
        await store.finished(id, 0, 0, false, [batchId]);
        return 'done';
      }
      if (state === 'failed') {
        const reason = existing?.failedReason ?? '';
        const code = /^(E_[A-Z_]+): /.exec(reason)?.[1] ?? 'E_INTERNAL';
        await store.failed({ jobId: id, input: inputsOf(job)[0] ?? job.out, code, message: reason.replace(/^E_[A-Z_]+: /, '') }, [batchId]);
        return 'failed';
      }
      return state !== 'absent' && state !== 'unknown' ? 'queued' : 'new';
    });
    // Queued in the catalog's order.
    for (const [index, [id, job]] of [...unique].entries()) {
      if (standings[index] !== 'new') continue;
      const list = toAdd.get(job.kind) ?? [];
      list.push({ id, job });
      toAdd.set(job.kind, list);
    }
    const alreadyDone = standings.filter((standing) => standing === 'done').length;
    const failedBefore = standings.filter((standing) => standing === 'failed').length;
    const alreadyQueued = standings.filter((standing) => standing === 'queued').length;
    for (const [kind, list] of toAdd) {
      const queue = await this.#queue(kind);
      for (let at = 0; at < list.length; at += 500) {
        await queue.addBulk(
          list.slice(at, at + 500).map(({ id, job }) => ({
            name: kind,
            data: { job } satisfies QueuedJob,
            opts: {
              jobId: id,
              attempts,
              backoff: { type: 'exponential', delay: options.backoffMs ?? 5000 },
              removeOnComplete: { age: 7 * 24 * 3600 },
              removeOnFail: { age: 30 * 24 * 3600 },
            },
          })),
        );
        queued += Math.min(500, list.length - at);
      }
    }
    return { batchId, total: unique.size, queued, alreadyDone, alreadyQueued, failedBefore };
  }

  /** Every batch, newest first. */
  async list(): Promise<BatchStatus[]> {
    const { store } = await this.#connect();
    return Promise.all((await store.ids()).map((id) => this.status(id)));
  }

  /** Where a batch stands (default: the newest). `E_NOT_FOUND` for an unknown id. */
  async status(batchId?: string): Promise<BatchStatus> {
    const { store } = await this.#connect();
    const id = batchId ?? (await store.ids())[0];
    const record = id === undefined ? undefined : await store.record(id);
    if (record === undefined)
      throw new SluiceError('E_NOT_FOUND', batchId === undefined ? 'no batch has been submitted' : `no batch "${batchId}"`);
    const [counts, failures, running] = await Promise.all([
      store.counts(record.id),
      store.failures(record.id),
      store.runningIds(record.id),
    ]);
    const partial = await Promise.all(running.filter((jobId) => JOB_ID.test(jobId)).map((jobId) => this.#progressOf(jobId)));
    const finished = counts.done + counts.failed >= counts.total;
    const end = finished ? (counts.lastFinishedAt ?? Date.now()) : Date.now();
    const elapsedSeconds = counts.firstStartedAt === undefined ? 0 : Math.max(0, (end - counts.firstStartedAt) / 1000);
    const ran = counts.audioSeconds > 0 ? counts.done : 0;
    const remaining = counts.total - counts.done - counts.failed;
    return {
      ...record,
      total: counts.total,
      done: counts.done,
      failed: counts.failed,
      running: Math.min(counts.running, remaining),
      waiting: Math.max(0, remaining - counts.running),
      progress: counts.total === 0 ? 1 : Math.min(1, (counts.done + counts.failed + partial.reduce((a, b) => a + b, 0)) / counts.total),
      audioSeconds: counts.audioSeconds,
      elapsedSeconds,
      speed: elapsedSeconds > 0 ? counts.audioSeconds / elapsedSeconds : 0,
      etaSeconds: finished ? 0 : ran > 0 && elapsedSeconds > 0 ? (remaining * elapsedSeconds) / ran : undefined,
      finished,
      failures,
    };
  }

  /** How far a running job has got (BullMQ's job progress, which workers report about once a second). */
  async #progressOf(jobId: string): Promise<number> {
    const job = await (await this.#queue(kindOfJobId(jobId))).getJob(jobId);
    const progress = job?.progress;
    return typeof progress === 'number' && Number.isFinite(progress) ? Math.max(0, Math.min(1, progress)) : 0;
  }

  /** Resolves with the batch's status once every job is done or failed. */
  async waitUntilFinished(batchId: string, options: { pollMs?: number; signal?: AbortSignal } = {}): Promise<BatchStatus> {
    for (;;) {
      const status = await this.status(batchId);
      if (status.finished) return status;
      if (options.signal?.aborted) throw SluiceError.wrap(options.signal.reason, 'E_ABORTED', 'stopped waiting');
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  /** Runs a batch's failed jobs again, attempts reset. Resolves to how many went back on the queue. */
  async retryFailed(batchId?: string): Promise<number> {
    const status = await this.status(batchId);
    const { store } = await this.#connect();
    let retried = 0;
    for (const failure of status.failures) {
      if (!JOB_ID.test(failure.jobId)) continue;
      const job = await (await this.#queue(kindOfJobId(failure.jobId))).getJob(failure.jobId);
      if (job === undefined || (await job.getState()) !== 'failed') continue;
      await store.forgetFailure(failure.jobId);
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried++;
    }
    return retried;
  }

  /**
   * Cancels a batch: its waiting jobs are removed (unless another live batch
   * also wants them) and workers stop its running ones within a second or two.
   */
  async cancel(batchId: string): Promise<{ removed: number; stopping: number }> {
    const status = await this.status(batchId);
    const { store } = await this.#connect();
    await store.cancel(status.id);
    let removed = 0;
    let stopping = 0;
    for (const jobId of await store.jobIds(status.id)) {
      if (!JOB_ID.test(jobId) || !(await store.isCancelled(jobId))) continue;
      const job = await (await this.#queue(kindOfJobId(jobId))).getJob(jobId);
      if (job === undefined) continue;
      const state = await job.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        await job.remove().then(
          () => removed++,
          () => undefined, // taken by a worker meanwhile: it sees the cancellation itself
        );
      } else if (state === 'active') {
        stopping++;
      }
    }
    return { removed, stopping };
  }

  /** Closes the queues and (when it made it) the Redis connection. */
  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    this.#storage.close();
    const connection = await this.#connection?.catch(() => undefined);
    if (connection?.owned) await connection.redis.quit().catch(() => undefined);
  }
}

/** `map` with at most `limit` calls in flight (hashing a catalog's files reads them all). */
async function mapLimited<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await map(items[index] as T);
      }
    }),
  );
  return results;
}
