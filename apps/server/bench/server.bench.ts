/**
 * The speech server under load, as users meet it: the server runs in its own
 * process (`src/main.ts` on its embedded defaults), the clients here talk HTTP.
 * - start-up: time to /readyz, then the first request's first byte;
 * - 1, 20 and 50 concurrent 2,000-character streams, mp3 and wav: first byte
 *   and total (p50/p95), errors, the server's peak RSS, its event-loop delay
 *   (p99, from /metrics), aggregate throughput (characters spoken per second);
 * - the same 20 mp3 streams while a 60 s file is being separated;
 * - 30 concurrent with 15 of them aborted midway;
 * - 50 concurrent 49-character mp3 requests.
 * Targets (2 cores): 20 mp3 p95 first byte ≤ 1 s; 50: 0 errors and p95 ≤ 2.5 s;
 * first request after ready ≤ 300 ms; event-loop p99 ≤ 50 ms during separation.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finish, percentile, proseOfLength, report } from '@sluice/config/bench';
import { encodeWav } from './wav';

const long = proseOfLength(2000);
// 49 characters, as in the measurement.
const short = 'Short requests should start speaking right away!!';
const root = fileURLToPath(new URL('..', import.meta.url));

/** Starts the server; resolves with its URL and how long it took to say ready. */
async function startServer(): Promise<{ child: ChildProcess; url: string; readyMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@sluice/source', join(root, 'src/main.ts')], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (data: Buffer) => {
      text += data.toString();
      const match = /http:\/\/[^/\s]+/.exec(text);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, url, readyMs: performance.now() - started };
}

const { child, url, readyMs } = await startServer();

interface Run {
  firstByteMs: number;
  totalMs: number;
  bytes: number;
  error?: string;
}

/** One speech request read to the end (or aborted after `abortAfterMs`). */
async function speak(input: string, format: 'mp3' | 'wav', abortAfterMs?: number): Promise<Run> {
  const started = performance.now();
  const controller = new AbortController();
  const timer = abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), abortAfterMs);
  let firstByteMs = Number.NaN;
  let bytes = 0;
  try {
    const response = await fetch(`${url}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input, response_format: format }),
      signal: controller.signal,
    });
    if (response.status !== 200)
      return { firstByteMs, totalMs: performance.now() - started, bytes, error: `HTTP ${response.status} ${await response.text()}` };
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
      bytes += value.length;
    }
    return { firstByteMs, totalMs: performance.now() - started, bytes };
  } catch (error) {
    const aborted = controller.signal.aborted;
    return { firstByteMs, totalMs: performance.now() - started, bytes, ...(aborted ? {} : { error: String(error) }) };
  } finally {
    clearTimeout(timer);
  }
}

/** The server's resident memory now, MB. */
function serverRssMb(): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** The event-loop delay p99 (ms) since the previous scrape, from the server's own /metrics. */
async function loopDelayP99Ms(): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^sluice_event_loop_delay_p99_seconds (\S+)$/m.exec(text)?.[1] ?? Number.NaN) * 1000;
}

/** The first error of each scenario, printed after its figures. */
const firstErrors: string[] = [];

/** What one scenario measured. */
type ScenarioFigures = {
  firstByteP50Ms: number;
  firstByteP95Ms: number;
  totalP50Ms: number;
  totalP95Ms: number;
  errors: number;
  peakRssMb: number;
  loopDelayP99Ms: number;
  wallSeconds: number;
};

async function scenario(runs: () => Promise<Run>[]): Promise<ScenarioFigures> {
  await loopDelayP99Ms(); // starts a fresh delay window
  let peak = serverRssMb();
  const sampler = setInterval(() => {
    peak = Math.max(peak, serverRssMb());
  }, 50);
  const started = performance.now();
  const results = await Promise.all(runs());
  const wallSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const served = results.filter((run) => run.error === undefined && !Number.isNaN(run.firstByteMs));
  const error = results.find((run) => run.error !== undefined)?.error;
  if (error !== undefined) firstErrors.push(error.slice(0, 300));
  const firstBytes = served.map((run) => run.firstByteMs);
  const totals = served.map((run) => run.totalMs);
  return {
    firstByteP50Ms: percentile(firstBytes, 50),
    firstByteP95Ms: percentile(firstBytes, 95),
    totalP50Ms: percentile(totals, 50),
    totalP95Ms: percentile(totals, 95),
    errors: results.filter((run) => run.error !== undefined).length,
    peakRssMb: peak,
    loopDelayP99Ms: await loopDelayP99Ms(),
    wallSeconds,
  };
}

const figures: Record<string, number> = { readyMs };
const first = await speak(long, 'mp3');
figures.firstAfterReadyFirstByteMs = first.firstByteMs;
report('Start-up: process start to /readyz, then the first request (mp3, 2,000 characters)', {
  readyMs,
  firstByteMs: first.firstByteMs,
});

for (const format of ['mp3', 'wav'] as const) {
  for (const clients of [1, 20, 50]) {
    const result = await scenario(() => Array.from({ length: clients }, () => speak(long, format)));
    const throughput = (clients * long.length) / result.wallSeconds;
    report(`${clients} concurrent ${format} streams, 2,000 characters`, { ...result, charactersPerSecond: throughput });
    for (const [key, value] of Object.entries({ ...result, charactersPerSecond: throughput }))
      figures[`${format}${clients}:${key}`] = value;
  }
}

// The same 20 mp3 streams while a 60 s file is separated (DSP, in worker threads).
const form = new FormData();
form.append('file', new Blob([Buffer.from(encodeWav(60))]), 'sixty.wav');
const job = await (await fetch(`${url}/v1/audio/separations`, { method: 'POST', body: form })).json();
const during = await scenario(() => Array.from({ length: 20 }, () => speak(long, 'mp3')));
const status = await (await fetch(`${url}/v1/audio/separations/${job.id}`)).json();
report(`20 concurrent mp3 streams while a 60 s file is separated (job ${status.status} at the end)`, during);
for (const [key, value] of Object.entries(during)) figures[`duringSeparation:${key}`] = value;

const aborted = await scenario(() => Array.from({ length: 30 }, (_, i) => speak(long, 'mp3', i % 2 === 0 ? 1500 : undefined)));
report('30 concurrent mp3 streams, 15 aborted after 1.5 s (figures over all 30; errors exclude the aborts)', aborted);
for (const [key, value] of Object.entries(aborted)) figures[`aborted30:${key}`] = value;

const shorts = await scenario(() => Array.from({ length: 50 }, () => speak(short, 'mp3')));
report('50 concurrent mp3 requests of 49 characters', shorts);
for (const [key, value] of Object.entries(shorts)) figures[`short50:${key}`] = value;

if (firstErrors.length > 0) report('Errors seen (the first of each scenario that had any)', { firstErrors });
child.kill('SIGTERM');
finish(figures);
