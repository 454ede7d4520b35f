import type { Redis } from 'ioredis';
import type { JobKind } from '../jobs/kinds';

/** A failure as a batch keeps it: which job, on what input, with which code and message. */
export interface JobFailure {
  readonly jobId: string;
  readonly input: string;
  readonly code: string;
  readonly message: string;
}

/** A batch's header: what was submitted when. */
export interface BatchRecord {
  readonly id: string;
  readonly name: string;
  readonly kinds: readonly JobKind[];
  readonly createdAt: number;
  readonly cancelled: boolean;
}

/** The counts a batch's progress is made of (sets of job ids: at-least-once delivery never counts a job twice). */
export interface BatchCounts {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  readonly audioSeconds: number;
  readonly processingSeconds: number;
  readonly firstStartedAt: number | undefined;
  readonly lastFinishedAt: number | undefined;
}

/**
 * What Sluice keeps in Redis beside BullMQ's own keys: which jobs make up each
 * batch and how far each batch is. BullMQ does the queueing; these are sets
 * and hashes keyed by job id, so a job delivered twice (after a stall) is
 * still counted once.
 */
export class BatchStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  #key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** Records a new batch and its jobs (ids), each job pointing back at the batch. */
  async create(record: Omit<BatchRecord, 'cancelled'>, jobs: ReadonlyArray<{ id: string; input: string }>): Promise<void> {
    const multi = this.redis.multi();
    multi.hset(this.#key('batch', record.id), { name: record.name, kinds: record.kinds.join(','), createdAt: String(record.createdAt) });
    multi.zadd(this.#key('batches'), record.createdAt, record.id);
    for (const job of jobs) {
      multi.sadd(this.#key('batch', record.id, 'jobs'), job.id);
      multi.sadd(this.#key('job', job.id, 'batches'), record.id);
      multi.hset(this.#key('job', job.id), 'input', job.input);
    }
    await multi.exec();
  }

  /** Every batch id, newest first. */
  async ids(): Promise<string[]> {
    return this.redis.zrevrange(this.#key('batches'), 0, -1);
  }

  async record(id: string): Promise<BatchRecord | undefined> {
    const fields = await this.redis.hgetall(this.#key('batch', id));
    if (fields.createdAt === undefined) return undefined;
    return {
      id,
      name: fields.name ?? id,
      kinds: (fields.kinds ?? '').split(',').filter(Boolean) as JobKind[],
      createdAt: Number(fields.createdAt),
      cancelled: fields.cancelled === '1',
    };
  }

  async jobIds(id: string): Promise<string[]> {
    return this.redis.smembers(this.#key('batch', id, 'jobs'));
  }

  /** The jobs of a batch being run now. */
  async runningIds(id: string): Promise<string[]> {
    return this.redis.smembers(this.#key('batch', id, 'running'));
  }

  async batchesOf(jobId: string): Promise<string[]> {
    return this.redis.smembers(this.#key('job', jobId, 'batches'));
  }

  async inputOf(jobId: string): Promise<string> {
    return (await this.redis.hget(this.#key('job', jobId), 'input')) ?? '';
  }

  async cancel(id: string): Promise<void> {
    await this.redis.hset(this.#key('batch', id), 'cancelled', '1');
  }

  /** True when every batch the job belongs to was cancelled. */
  async isCancelled(jobId: string): Promise<boolean> {
    const batches = await this.batchesOf(jobId);
    if (batches.length === 0) return false;
    const flags = await Promise.all(batches.map((id) => this.redis.hget(this.#key('batch', id), 'cancelled')));
    return flags.every((flag) => flag === '1');
  }

  async started(jobId: string): Promise<void> {
    const now = String(Date.now());
    const multi = this.redis.multi();
    for (const id of await this.batchesOf(jobId)) {
      multi.sadd(this.#key('batch', id, 'running'), jobId);
      multi.hsetnx(this.#key('batch', id), 'firstStartedAt', now);
    }
    await multi.exec();
  }

  /**
   * A job done. `ran` is false for one found done before it ran (its manifest
   * was in place): it counts as done but not in the batch's speed.
   */
  async finished(jobId: string, audioSeconds: number, processingSeconds: number, ran = true, batches?: readonly string[]): Promise<void> {
    const now = String(Date.now());
    const multi = this.redis.multi();
    for (const id of batches ?? (await this.batchesOf(jobId))) {
      multi.srem(this.#key('batch', id, 'running'), jobId);
      multi.hdel(this.#key('batch', id, 'failed'), jobId);
      multi.sadd(this.#key('batch', id, 'done'), jobId);
      if (!ran) continue;
      multi.hset(this.#key('batch', id, 'audio'), jobId, String(audioSeconds));
      multi.hset(this.#key('batch', id, 'cpu'), jobId, String(processingSeconds));
      multi.hset(this.#key('batch', id), 'lastFinishedAt', now);
    }
    await multi.exec();
  }

  /** A failure that will not be retried (permanent, or out of attempts). */
  async failed(failure: JobFailure, batches?: readonly string[]): Promise<void> {
    const multi = this.redis.multi();
    for (const id of batches ?? (await this.batchesOf(failure.jobId))) {
      multi.srem(this.#key('batch', id, 'running'), failure.jobId);
      multi.hset(this.#key('batch', id, 'failed'), failure.jobId, JSON.stringify(failure));
    }
    await multi.exec();
  }

  /** A job handed back (a draining worker): no longer running, not failed. */
  async handedBack(jobId: string): Promise<void> {
    const multi = this.redis.multi();
    for (const id of await this.batchesOf(jobId)) multi.srem(this.#key('batch', id, 'running'), jobId);
    await multi.exec();
  }

  /** A job to run again: its failure is forgotten in every batch. */
  async forgetFailure(jobId: string): Promise<void> {
    const multi = this.redis.multi();
    for (const id of await this.batchesOf(jobId)) multi.hdel(this.#key('batch', id, 'failed'), jobId);
    await multi.exec();
  }

  async failures(id: string): Promise<JobFailure[]> {
    return Object.values(await this.redis.hgetall(this.#key('batch', id, 'failed'))).map((text) => JSON.parse(text) as JobFailure);
  }

  async counts(id: string): Promise<BatchCounts> {
    const [total, done, failed, running, audio, cpu, header] = await Promise.all([
      this.redis.scard(this.#key('batch', id, 'jobs')),
      this.redis.scard(this.#key('batch', id, 'done')),
      this.redis.hlen(this.#key('batch', id, 'failed')),
      this.redis.scard(this.#key('batch', id, 'running')),
      this.redis.hvals(this.#key('batch', id, 'audio')),
      this.redis.hvals(this.#key('batch', id, 'cpu')),
      this.redis.hmget(this.#key('batch', id), 'firstStartedAt', 'lastFinishedAt'),
    ]);
    const sum = (values: string[]) => values.reduce((total, value) => total + Number(value), 0);
    const time = (value: string | null | undefined) => (value ? Number(value) : undefined);
    return {
      total,
      done,
      failed,
      running,
      audioSeconds: sum(audio),
      processingSeconds: sum(cpu),
      firstStartedAt: time(header[0]),
      lastFinishedAt: time(header[1]),
    };
  }
}
