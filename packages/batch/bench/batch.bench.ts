// The batch queue: jobs per second and aggregate × real time with 1, 2 and 4 worker processes, and the queue's
// overhead per job against running the same job directly. The built package (dist/) is measured, as deployed.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { finish, median, report, round3 } from '@sluice/config/bench';
import { writeCatalog } from '@sluice/test-servers/catalog';
import { RedisServer, redisMissing } from '@sluice/test-servers/redis';

const dist = new URL('../dist/index.js', import.meta.url);
if (redisMissing || !existsSync(dist)) {
  const reason = redisMissing ?? 'packages/batch/dist is missing: build first (pnpm build)';
  console.log(`skipped: ${reason}`);
  finish({ skipped: reason });
  process.exit(0);
}
const { BatchClient, Storage, planCatalog } = (await import(dist.href)) as typeof import('../src/index');

const cores = availableParallelism();
const redis = await RedisServer.start();
const folder = await mkdtemp(join(tmpdir(), 'sluice-batch-bench-'));
const url = (...parts: string[]) => pathToFileURL(join(folder, ...parts)).href;
const client = new BatchClient({ redis: redis.url });
const storage = new Storage();

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [new URL('./worker-process.mjs', import.meta.url).pathname, redis.url, 'separate'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
  });
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  const exits = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(exits);
}

// --- Scaling: one catalog of separations through 1, 2 and 4 worker processes.
const TRACKS = 8;
const TRACK_SECONDS = 10;
await writeCatalog(join(folder, 'catalog'), TRACKS, TRACK_SECONDS);
const scaling: Record<string, { jobsPerSecond: number; speed: number; efficiency: number }> = {};
let single = 0;
for (const workers of [1, 2, 4]) {
  const children = await Promise.all(Array.from({ length: workers }, startWorker));
  const jobs = await planCatalog({ kind: 'separate', inputs: url('catalog'), out: url(`stems-${workers}`), model: 'dsp' }, storage);
  const started = performance.now();
  const { batchId } = await client.submit(jobs);
  await client.waitUntilFinished(batchId, { pollMs: 50 });
  const seconds = (performance.now() - started) / 1000;
  await stopWorkers(children);
  const speed = (TRACKS * TRACK_SECONDS) / seconds;
  if (workers === 1) single = speed;
  // Efficiency against what this machine allows: more workers than cores cannot go faster than the cores.
  scaling[`${workers}`] = {
    jobsPerSecond: round3(TRACKS / seconds),
    speed: round3(speed),
    efficiency: round3(speed / (single * Math.min(workers, cores))),
  };
}
report(`scaling: ${TRACKS} × ${TRACK_SECONDS} s DSP separations, 1 thread each (${cores} cores)`, scaling);

// --- Overhead: one 30 s separation through the queue (submit → a waiting worker → done) against runJob directly.
await writeCatalog(join(folder, 'long'), 1, 30);
const input = url('long', 'disc-0', 'track-00.wav');
// Both in plain Node processes running dist/, as deployed (a worker thread inherits this process's tsx loader).
const baseline = spawn(process.execPath, [new URL('./direct-process.mjs', import.meta.url).pathname, input, url('direct'), '4'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let printed = '';
baseline.stdout?.on('data', (data: Buffer) => {
  printed += data.toString();
});
await new Promise((resolve) => baseline.once('exit', resolve));
const direct = printed.trim().split('\n').map(Number).slice(1);
const queued: number[] = [];
const [worker] = await Promise.all([startWorker()]);
for (let round = 0; round < 4; round++) {
  const job = { kind: 'separate', input, out: url(`queued-${round}`), model: 'dsp' } as const;
  const started = performance.now();
  const { batchId } = await client.submit([job]);
  await client.waitUntilFinished(batchId, { pollMs: 20 });
  if (round > 0) queued.push(performance.now() - started);
}
await stopWorkers([worker as ChildProcess]);
const overhead = median(queued) / median(direct) - 1;
report('overhead: one 30 s DSP separation, submit → done through a waiting worker vs runJob (median of 3 after a warm-up)', {
  directMs: round3(median(direct)),
  queuedMs: round3(median(queued)),
  overheadPercent: round3(overhead * 100),
  target: '≤ 5 %',
});

await client.close();
storage.close();
await redis.close();
await rm(folder, { recursive: true, force: true });
finish({
  scaling,
  directMs: round3(median(direct)),
  queuedMs: round3(median(queued)),
  overheadPercent: round3(overhead * 100),
});
