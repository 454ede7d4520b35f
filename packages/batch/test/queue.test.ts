import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toneWav, writeCatalog } from '@sluice/test-servers/catalog';
import { RedisServer, redisMissing } from '@sluice/test-servers/redis';
import { S3Server } from '@sluice/test-servers/s3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BatchClient, type BatchJob, BatchWorker, type BatchWorkerOptions, Storage, jobIdOf, planCatalog } from '../src/index';

if (redisMissing) console.warn(`batch queue tests skipped: ${redisMissing}`);

describe.skipIf(redisMissing !== undefined)('batches on BullMQ and a real redis-server', () => {
  let redis: RedisServer;
  let client: BatchClient;
  let folder: string;
  const workers: BatchWorker[] = [];
  const url = (...parts: string[]) => pathToFileURL(join(folder, ...parts)).href;

  async function startWorker(options: Partial<BatchWorkerOptions> = {}): Promise<BatchWorker> {
    // A lock of 5 s: no test here waits for a takeover, and a short lock lost to the suite's load (the worker's main
    // thread starved past half a lock) shows up as a stall: a cancel then finds its running job back in the queue.
    const worker = new BatchWorker({ redis: redis.url, lockMs: 5000, ...options });
    worker.on('error', () => undefined); // connection noise while Redis restarts
    await worker.start();
    workers.push(worker);
    return worker;
  }

  /** The BullMQ job itself, to read what BullMQ recorded (attempts, stalls). */
  async function bullJob(kind: string, id: string) {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(`sluice-${kind}`, { connection, prefix: 'sluice' });
    try {
      const job = await queue.getJob(id);
      return {
        state: await job?.getState(),
        attemptsStarted: job?.attemptsStarted,
        attemptsMade: job?.attemptsMade,
        stalledCounter: job?.stalledCounter,
      };
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }

  /** A local S3-compatible store with a `media` bucket, and a client that reaches it; both closed after `run`. */
  async function withS3Store(
    run: (s3: S3Server, s3Client: BatchClient, storage: { s3: { endpoint: string } }) => Promise<void>,
  ): Promise<void> {
    const s3 = await S3Server.start(['media']);
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    const storage = { s3: { endpoint: s3.endpoint } };
    const s3Client = new BatchClient({ redis: redis.url, storage });
    try {
      await run(s3, s3Client, storage);
    } finally {
      await s3Client.close();
      await s3.close();
    }
  }

  beforeAll(async () => {
    redis = await RedisServer.start();
    client = new BatchClient({ redis: redis.url });
    folder = await mkdtemp(join(tmpdir(), 'sluice-queue-'));
  });
  // A test that failed half-way must not leave a worker that takes the next test's jobs.
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
  });
  afterAll(async () => {
    await client?.close();
    await redis?.close();
  });

  it('an undecodable file fails once with E_DECODE, is reported, and is not queued again on resubmit', async () => {
    await mkdir(join(folder, 'bad'));
    await writeFile(join(folder, 'bad', 'noise.wav'), Buffer.from('not audio '.repeat(100)));
    await writeFile(join(folder, 'bad', 'fine.wav'), toneWav(1, 2));
    const jobs = await planCatalog({ kind: 'transcode', inputs: url('bad'), out: url('bad-out'), container: 'mp3' }, new Storage());
    const worker = await startWorker({ kinds: ['transcode'] });
    const failures: string[] = [];
    worker.on('failed', ({ code, retrying }) => failures.push(`${code}${retrying ? ' retrying' : ''}`));
    const { batchId } = await client.submit(jobs, { attempts: 3, backoffMs: 50 });
    const status = await client.waitUntilFinished(batchId);
    expect([status.done, status.failed]).toEqual([1, 1]);
    expect(status.failures).toEqual([expect.objectContaining({ input: url('bad', 'noise.wav'), code: 'E_DECODE' })]);
    expect(failures).toEqual(['E_DECODE']);
    const failed = status.failures[0]?.jobId as string;
    expect(await bullJob('transcode', failed)).toMatchObject({ state: 'failed', attemptsStarted: 1 });
    const again = await client.submit(jobs);
    expect(again).toMatchObject({ queued: 0, alreadyDone: 1, failedBefore: 1 });
    expect((await client.status(again.batchId)).failures[0]).toMatchObject({ code: 'E_DECODE' });
    await worker.drain();
  });

  it('a store that keeps failing is retried with backoff, fails with E_IO, and retry-failed runs it again', async () => {
    await withS3Store(async (s3, s3Client, storage) => {
      s3.put('media', 'in/a.wav', toneWav(1, 5));
      const worker = await startWorker({ kinds: ['transcode'], storage });
      const attempts: boolean[] = [];
      worker.on('failed', ({ retrying }) => attempts.push(retrying));
      const job: BatchJob = { kind: 'transcode', input: 's3://media/in/a.wav', out: 's3://media/out/a.mp3' };
      const { batchId } = await s3Client.submit([job], { attempts: 2, backoffMs: 50 });
      s3.failNext(1_000_000);
      const failed = await s3Client.waitUntilFinished(batchId);
      expect(failed.failures).toEqual([expect.objectContaining({ code: 'E_IO' })]);
      expect(attempts).toEqual([true, false]);
      s3.failNext(0);
      expect(await s3Client.retryFailed(batchId)).toBe(1);
      const done = await s3Client.waitUntilFinished(batchId);
      expect([done.done, done.failed]).toEqual([1, 0]);
      expect(s3.keys('media')).toEqual(['in/a.wav', 'out/.a.mp3.sluice-done.json', 'out/a.mp3']);
      await worker.drain();
    });
  });

  it('the lock is renewed while a long job runs: a 2.5 s lock, a job that outlasts it, no stall, one attempt', async () => {
    // The job waits 4 s for its input from a slow store, whatever the machine's speed, and uses no CPU meanwhile:
    // a lock left to expire would be taken over and counted as a stall. Renewal comes every half lock from the
    // worker's main thread; a suite that starved that thread past half a lock made stalls of 0.5 s and 1.5 s
    // locks, which is load, not a lost renewal: 2.5 s leaves it 1.25 s.
    await withS3Store(async (s3, s3Client, storage) => {
      s3.put('media', 'in/long.wav', toneWav(2, 7));
      const job: BatchJob = { kind: 'transcode', input: 's3://media/in/long.wav', out: 's3://media/out/long.mp3' };
      const { batchId } = await s3Client.submit([job]);
      s3.delayGets(4000);
      const worker = await startWorker({ kinds: ['transcode'], storage, lockMs: 2500 });
      const status = await s3Client.waitUntilFinished(batchId);
      expect([status.done, status.failed]).toEqual([1, 0]);
      const lookup = new Storage(storage);
      const jobId = await jobIdOf(job, lookup);
      lookup.close();
      expect(await bullJob('transcode', jobId)).toMatchObject({ state: 'completed', attemptsStarted: 1, stalledCounter: 0 });
      await worker.drain();
    });
  });

  it('cancel removes waiting jobs, and a worker started after runs none of them', async () => {
    await writeCatalog(join(folder, 'cancel'), 8, 0.5);
    const jobs = await planCatalog({ kind: 'transcode', inputs: url('cancel'), out: url('cancel-out'), container: 'flac' }, new Storage());
    const { batchId } = await client.submit(jobs);
    expect(await client.cancel(batchId)).toEqual({ removed: 8, stopping: 0 });
    const worker = await startWorker({ kinds: ['transcode'] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = await client.status(batchId);
    expect(status).toMatchObject({ cancelled: true, done: 0, running: 0 });
    await expect(readdir(join(folder, 'cancel-out'))).rejects.toThrow();
    await worker.drain();
  });

  it('cancel stops a running job within about a second: E_ABORTED recorded, nothing under the final names', async () => {
    await mkdir(join(folder, 'stop'));
    await writeFile(join(folder, 'stop', 'song.wav'), toneWav(30, 11));
    const job: BatchJob = { kind: 'separate', input: url('stop', 'song.wav'), out: url('stop-out', 'song'), model: 'dsp' };
    const worker = await startWorker({ kinds: ['separate'] });
    const started = new Promise((resolve) => worker.once('started', resolve));
    const { batchId } = await client.submit([job]);
    await started;
    expect(await client.cancel(batchId)).toEqual({ removed: 0, stopping: 1 });
    const status = await client.waitUntilFinished(batchId);
    expect(status).toMatchObject({ cancelled: true, done: 0, failed: 1, running: 0 });
    expect(status.failures[0]).toMatchObject({ code: 'E_ABORTED', message: 'the batch was cancelled' });
    expect(existsSync(join(folder, 'stop-out', 'song')) ? await readdir(join(folder, 'stop-out', 'song')) : []).toEqual([]);
    await worker.drain();
  });

  it('drain hands a job still running at its deadline back to the queue, and another worker finishes it', async () => {
    await mkdir(join(folder, 'drain'));
    await writeFile(join(folder, 'drain', 'song.wav'), toneWav(15, 9));
    const job: BatchJob = { kind: 'separate', input: url('drain', 'song.wav'), out: url('drain-out', 'song'), model: 'dsp' };
    const first = await startWorker({ kinds: ['separate'], drainTimeoutMs: 300 });
    const started = new Promise((resolve) => first.once('started', resolve));
    const handedBack = new Promise((resolve) => first.once('handedBack', resolve));
    const { batchId } = await client.submit([job]);
    await started;
    await first.drain();
    await handedBack;
    expect(await client.status(batchId)).toMatchObject({ done: 0, failed: 0, running: 0, waiting: 1 });
    await startWorker({ kinds: ['separate'] });
    const status = await client.waitUntilFinished(batchId);
    expect([status.done, status.failed]).toEqual([1, 0]);
    expect((await readdir(join(folder, 'drain-out', 'song'))).sort()).toEqual([
      '.sluice-done.json',
      'bass.wav',
      'drums.wav',
      'other.wav',
      'vocals.wav',
    ]);
  });
});
