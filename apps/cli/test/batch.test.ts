import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeCatalog } from '@sluice/test-servers/catalog';
import { RedisServer, redisMissing } from '@sluice/test-servers/redis';
import { probe } from '@sluice/writers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, sluice } from './support/run-bin';

if (redisMissing) console.warn(`sluice worker / sluice batch tests skipped: ${redisMissing}`);

/** A `sluice worker` child process and everything it printed so far. */
interface WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** Resolves with the first line matching `pattern` (now or later). */
  line(pattern: RegExp): Promise<string>;
}

// Issue 18: a farm as users run it: the built binary, several worker processes, one killed with SIGKILL, Redis
// restarted under them, SIGTERM to drain. Outputs are checked as a user would: decoded, counted, no leftovers.
describe.skipIf(redisMissing !== undefined)('sluice worker and sluice batch: a catalog across worker processes', () => {
  let redis: RedisServer;
  let folder: string;
  const workers: WorkerProcess[] = [];

  function startWorker(...args: string[]): WorkerProcess {
    // A 3 s lock: the killed worker's job is taken over within seconds, and a worker starved by the suite's load for
    // under 1.5 s keeps its locks (a lost lock would let a second worker run the same job and write it twice).
    const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis.url, '--lock-ms', '3000', ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const waiting: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
    let partial = '';
    child.stdout?.on('data', (data: Buffer) => {
      partial += data.toString();
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        for (const wait of waiting.filter((w) => w.pattern.test(line))) {
          waiting.splice(waiting.indexOf(wait), 1);
          wait.resolve(line);
        }
      }
    });
    child.stderr?.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const worker: WorkerProcess = {
      child,
      lines,
      exited,
      line: (pattern) => {
        const found = lines.find((line) => pattern.test(line));
        return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ pattern, resolve }));
      },
    };
    workers.push(worker);
    return worker;
  }

  async function batch(...args: string[]) {
    const run = await sluice(['batch', ...args, '--redis', redis.url], { timeoutMs: 120_000 });
    expect(run.hung).toBe(false);
    return run;
  }

  async function filesUnder(root: string): Promise<string[]> {
    return existsSync(root) ? (await readdir(root, { recursive: true })).map(String).sort() : [];
  }

  const allLines = () => workers.flatMap((worker) => worker.lines);

  beforeAll(async () => {
    redis = await RedisServer.start();
    folder = await mkdtemp(join(tmpdir(), 'sluice-farm-'));
  });
  afterAll(async () => {
    for (const worker of workers) {
      try {
        process.kill(-(worker.child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await redis?.close();
  });

  it('40 files, 3 workers, one killed mid-job: every output once, decodable, nothing half-written; E_DECODE once', async () => {
    await writeCatalog(join(folder, 'in'), 40, 3);
    await writeFile(join(folder, 'in', 'disc-3', 'broken.wav'), Buffer.from('RIFF not a real wave file '.repeat(64)));
    const submitCatalog = () =>
      batch('submit', join(folder, 'in'), '--kind', 'transcode', '--format', 'mp3', '--out', join(folder, 'out'), '--json');
    const submitted = await submitCatalog();
    expect(submitted.code).toBe(0);
    const { batchId, queued } = JSON.parse(submitted.stdout) as { batchId: string; queued: number };
    expect(queued).toBe(41);
    const [victim] = [startWorker(), startWorker(), startWorker()];
    const started = await (victim as WorkerProcess).line(/^started /);
    process.kill((victim as WorkerProcess).child.pid as number, 'SIGKILL');
    const killedJob = started.split(' ')[1] as string;

    const watched = await batch('status', batchId, '--watch', '--json');
    expect(watched.code).toBe(1); // --watch exits 1 when a job failed
    const status = JSON.parse(watched.stdout.trim().split('\n').pop() as string);
    expect(status).toMatchObject({ total: 41, done: 40, failed: 1, running: 0, waiting: 0, finished: true });
    expect(status.failures).toEqual([
      expect.objectContaining({ code: 'E_DECODE', input: pathToFileURL(join(folder, 'in', 'disc-3', 'broken.wav')).href }),
    ]);

    const files = await filesUnder(join(folder, 'out'));
    const mp3s = files.filter((file) => file.endsWith('.mp3'));
    expect(mp3s).toHaveLength(40);
    expect(files.filter((file) => file.includes('.part'))).toEqual([]);
    for (const file of mp3s) expect((await probe(join(folder, 'out', file))).durationSeconds).toBeCloseTo(3, 1);
    // Each output was written by exactly one worker, once; the killed worker's job was finished by another.
    const wrote = allLines().filter((line) => line.startsWith('wrote ') && line.endsWith('.mp3'));
    expect(wrote).toHaveLength(40);
    expect(new Set(wrote).size).toBe(40);
    expect((victim as WorkerProcess).lines.some((line) => line.startsWith(`done ${killedJob}`))).toBe(false);
    expect(workers.slice(1).some((worker) => worker.lines.some((line) => line.startsWith(`done ${killedJob}`)))).toBe(true);
    // The undecodable file was tried once, not retried.
    expect(
      allLines()
        .filter((line) => line.startsWith('failed '))
        .map((line) => line.split(' ')[2]),
    ).toEqual(['E_DECODE:']);

    const again = await submitCatalog();
    expect(JSON.parse(again.stdout)).toMatchObject({ total: 41, queued: 0, alreadyDone: 40, failedBefore: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(allLines().filter((line) => line.startsWith('wrote '))).toHaveLength(40); // the first run's, and nothing since
  }, 180_000);

  it('Redis restarted mid-run: the workers reconnect and finish the batch', async () => {
    await writeCatalog(join(folder, 'in2'), 16, 3);
    const submitted = await batch(
      'submit',
      join(folder, 'in2'),
      '--kind',
      'transcode',
      '--format',
      'flac',
      '--out',
      join(folder, 'out2'),
      '--json',
    );
    const { batchId } = JSON.parse(submitted.stdout) as { batchId: string };
    const live = workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
    await Promise.race(live.map((worker) => worker.line(/^done transcode-.* flac|^done /)));
    await redis.restart(500);
    const watched = await batch('status', batchId, '--watch', '--json');
    expect(watched.code).toBe(0);
    expect(JSON.parse(watched.stdout.trim().split('\n').pop() as string)).toMatchObject({ total: 16, done: 16, failed: 0 });
    expect((await filesUnder(join(folder, 'out2'))).filter((file) => file.endsWith('.flac'))).toHaveLength(16);
  }, 120_000);

  it('SIGTERM drains: the running job finishes, no new one starts, the worker exits 0', async () => {
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
    await writeCatalog(join(folder, 'in3'), 3, 10);
    const submitted = await batch('submit', join(folder, 'in3'), '--kind', 'separate', '--out', join(folder, 'out3'), '--json');
    const { batchId } = JSON.parse(submitted.stdout) as { batchId: string };
    const worker = startWorker('--kinds', 'separate');
    const started = await worker.line(/^started /);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const jobId = started.split(' ')[1] as string;
    expect(worker.lines.filter((line) => line.startsWith('started '))).toEqual([started]);
    expect(worker.lines.some((line) => line.startsWith(`done ${jobId}`))).toBe(true);
    const status = JSON.parse((await batch('status', batchId, '--json')).stdout);
    expect(status).toMatchObject({ total: 3, done: 1, failed: 0, running: 0, waiting: 2 });
  }, 120_000);
});

// Without Redis there: the commands say so and exit 1 by themselves (nothing half-started keeps them alive).
describe('sluice worker and sluice batch with no Redis to reach', () => {
  it('exit 1 naming the Redis they could not reach', async () => {
    const unreachable = 'redis://127.0.0.1:9';
    const [worker, status] = await Promise.all([
      sluice(['worker', '--redis', unreachable], { timeoutMs: 60_000 }),
      sluice(['batch', 'status', '--redis', unreachable], { timeoutMs: 60_000 }),
    ]);
    for (const run of [worker, status]) {
      expect(run.hung).toBe(false);
      expect(run.leftovers).toBe(false);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:9/);
    }
  });
});
