import { EventEmitter } from 'node:events';
import { SluiceError } from '@sluice/core';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type BatchJob, JOB_KINDS, type JobKind, type JobResult } from '../jobs/kinds';
import { validateJob } from '../jobs/validate';
import { JobThread } from '../run/thread-runner';
import type { StorageOptions } from '../storage/storage-router';
import { BatchStore } from './batch-store';
import { type RedisInput, readyRedis } from './connection';
import { DEFAULT_PREFIX, type QueuedJob, queueNameOf } from './names';
import { failureText, isRetryable } from './retry';

/** Options of a {@link BatchWorker}. */
export interface BatchWorkerOptions {
  /** Redis: a URL or a connected ioredis client (which the worker then does not close). */
  readonly redis: RedisInput;
  /** The kinds of job to take (default: all four). */
  readonly kinds?: readonly JobKind[];
  /** Jobs of each kind run at once by this worker (default 1). */
  readonly concurrency?: number;
  /** Worker threads one separation job may use (default 1: parallelism comes from more jobs, more workers). */
  readonly threads?: number;
  /**
   * How long a job's lock lasts without renewal (default 30 000 ms, at
   * least 1000). The lock is renewed every half of it while the job runs,
   * from the worker's main thread; the audio work is in a thread of its own
   * and never delays it, but other processes on a loaded machine can (a
   * renewal more than half a lock late counts as a stall, and the job starts
   * again), so keep it to seconds. A worker that dies stops renewing, and
   * another worker takes the job over after this long.
   */
  readonly lockMs?: number;
  /** On {@link BatchWorker.drain}: how long running jobs may take to finish before they are handed back (default 60 000 ms). */
  readonly drainTimeoutMs?: number;
  /** Key prefix of the queues (default `sluice`; the same as the submitter's). */
  readonly prefix?: string;
  /** How to reach `s3://` URLs. */
  readonly storage?: StorageOptions;
}

/** The events of a {@link BatchWorker}. */
export interface BatchWorkerEvents {
  started: [{ jobId: string; kind: JobKind; attempt: number }];
  wrote: [{ jobId: string; url: string }];
  completed: [{ jobId: string; result: JobResult }];
  failed: [{ jobId: string; code: string; message: string; retrying: boolean }];
  handedBack: [{ jobId: string }];
  error: [Error];
}

/**
 * Takes jobs from the queues of its kinds and runs each in a thread of its
 * own. Delivery is at least once: a job whose worker dies is taken over
 * after `lockMs`; outputs appear under their final names only when complete,
 * and a job whose manifest is in place is not run again, so a job runs to
 * completion once in effect.
 */
export class BatchWorker extends EventEmitter<BatchWorkerEvents> {
  readonly #options: BatchWorkerOptions;
  readonly #workers: Worker[] = [];
  #redis: Redis | undefined;
  #owned = false;
  #store: BatchStore | undefined;
  #handingBack = false;
  /** Job threads between jobs: each keeps the audio packages loaded, so a job does not wait for a thread to start. */
  readonly #idle: JobThread[] = [];
  #closed: Promise<void> | undefined;

  constructor(options: BatchWorkerOptions) {
    super();
    const kinds = options.kinds ?? JOB_KINDS;
    const unknown = kinds.filter((kind) => !(JOB_KINDS as readonly string[]).includes(kind));
    if (kinds.length === 0 || unknown.length > 0)
      throw new SluiceError('E_INVALID_ARGUMENT', `kinds must be some of ${JOB_KINDS.join(', ')}, got ${kinds.join(', ') || 'none'}`);
    for (const [name, value, min] of [
      ['concurrency', options.concurrency, 1],
      ['threads', options.threads, 1],
      ['lockMs', options.lockMs, 1000],
      ['drainTimeoutMs', options.drainTimeoutMs, 0],
    ] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < min))
        throw new SluiceError('E_INVALID_ARGUMENT', `${name} must be an integer of at least ${min}, got ${value}`);
    }
    this.#options = { ...options, kinds };
  }

  /** Connects and starts taking jobs; resolves once every queue's worker is ready. */
  async start(): Promise<void> {
    const { redis, owned } = await readyRedis(this.#options.redis);
    this.#redis = redis;
    this.#owned = owned;
    const prefix = this.#options.prefix ?? DEFAULT_PREFIX;
    this.#store = new BatchStore(redis, prefix);
    const lockDuration = this.#options.lockMs ?? 30_000;
    for (let i = 0; i < (this.#options.concurrency ?? 1); i++) this.#idle.push(new JobThread());
    for (const kind of this.#options.kinds ?? JOB_KINDS) {
      const worker = new Worker(queueNameOf(kind), (job: Job, token?: string, signal?: AbortSignal) => this.#process(job, token, signal), {
        connection: redis,
        prefix,
        concurrency: this.#options.concurrency ?? 1,
        lockDuration,
        stalledInterval: lockDuration,
        // A job whose worker died twice is still taken over; a third time says the job itself kills workers.
        maxStalledCount: 2,
        autorun: false,
      });
      worker.on('error', (error) => this.emit('error', error));
      this.#workers.push(worker);
      void worker.run().catch((error: unknown) => this.emit('error', error as Error));
    }
    try {
      await Promise.all(this.#workers.map((worker) => worker.waitUntilReady()));
    } catch (error) {
      // Nothing half-started may keep the process alive: a `sluice worker` that cannot start must exit.
      await this.close().catch(() => undefined);
      throw SluiceError.wrap(error, 'E_IO', 'the batch worker could not start');
    }
  }

  async #process(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<JobResult> {
    const store = this.#store as BatchStore;
    const jobId = job.id as string;
    let data: BatchJob;
    try {
      // Checked again on pickup: the data crossed Redis.
      data = validateJob((job.data as QueuedJob).job);
    } catch (error) {
      throw await this.#fail(job, error, false);
    }
    if (await store.isCancelled(jobId)) throw await this.#fail(job, new SluiceError('E_ABORTED', 'the batch was cancelled'), false);
    await store.started(jobId);
    this.emit('started', { jobId, kind: data.kind, attempt: job.attemptsStarted });
    const stop = new AbortController();
    signal?.addEventListener('abort', () => stop.abort(new SluiceError('E_ABORTED', 'the worker is stopping')), { once: true });
    const poll = setInterval(() => {
      store.isCancelled(jobId).then(
        (cancelled) => {
          if (cancelled) stop.abort(new SluiceError('E_ABORTED', 'the batch was cancelled'));
        },
        () => undefined, // Redis away for a moment: ask again next time
      );
    }, 1000);
    const thread = this.#idle.pop() ?? new JobThread();
    try {
      const result = await thread.run(data, {
        jobId,
        threads: this.#options.threads ?? 1,
        signal: stop.signal,
        ...(this.#options.storage === undefined ? {} : { storage: this.#options.storage }),
        onProgress: (fraction) => void job.updateProgress(Math.round(fraction * 1000) / 1000).catch(() => undefined),
        onWrite: (url) => this.emit('wrote', { jobId, url }),
      });
      await store.finished(jobId, result.audioSeconds, result.processingSeconds, !result.skipped);
      this.emit('completed', { jobId, result });
      return result;
    } catch (error) {
      if (this.#handingBack && signal?.aborted) {
        // Draining past its deadline: the job goes back to the queue untouched, for another worker.
        await job.moveToWait(token);
        await store.handedBack(jobId);
        this.emit('handedBack', { jobId });
        throw new WaitingError();
      }
      throw await this.#fail(job, error, isRetryable(error));
    } finally {
      clearInterval(poll);
      if (thread.usable && this.#closed === undefined) this.#idle.push(thread);
      else void thread.terminate();
    }
  }

  /** Records a failure (when it is the last attempt) and returns what to throw to BullMQ. */
  async #fail(job: Job, error: unknown, retryable: boolean): Promise<Error> {
    const { code, message } = failureText(error);
    const text = `${code}: ${message}`;
    const retrying = retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
    const jobId = job.id as string;
    if (!retrying) {
      const store = this.#store as BatchStore;
      await store.failed({ jobId, input: await store.inputOf(jobId), code, message });
    }
    this.emit('failed', { jobId, code, message, retrying });
    // UnrecoverableError: BullMQ fails the job now, whatever attempts are left.
    return retryable ? new Error(text) : new UnrecoverableError(text);
  }

  /**
   * Stops taking jobs and lets the running ones finish; those still running
   * after `drainTimeoutMs` are stopped and handed back to the queue. Resolves
   * when nothing runs and the connections are closed.
   */
  drain(): Promise<void> {
    this.#closed ??= (async () => {
      const deadline = setTimeout(() => {
        this.#handingBack = true;
        for (const worker of this.#workers) worker.cancelAllJobs('drain');
      }, this.#options.drainTimeoutMs ?? 60_000);
      try {
        await Promise.all(this.#workers.map((worker) => worker.close()));
      } finally {
        clearTimeout(deadline);
        await Promise.all(this.#idle.splice(0).map((thread) => thread.terminate()));
        if (this.#owned) await this.#redis?.quit().catch(() => undefined);
      }
    })();
    return this.#closed;
  }

  /** Stops now: running jobs are handed back at once. */
  close(): Promise<void> {
    this.#handingBack = true;
    for (const worker of this.#workers) worker.cancelAllJobs('close');
    return this.drain();
  }
}
