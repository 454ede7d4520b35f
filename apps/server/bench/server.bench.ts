/**
 * `/v1/audio/speech` with a 2,000-character input (eSpeak, mp3, the default
 * format): time to the first audio byte and total time, p50 and p95 over 20
 * requests one after another, then 20 clients at once. The server runs in
 * this process on 127.0.0.1.
 */
import { finish, percentile, proseOfLength, report } from '@sluice/config/bench';
import { buildServer } from '../src/index';

const input = proseOfLength(2000);

const server = await buildServer({ logger: false, limits: { requestsPerMinute: 10_000 } });
const url = await server.app.listen({ host: '127.0.0.1', port: 0 });

async function request(): Promise<{ firstByteMs: number; totalMs: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let firstByteMs = Number.NaN;
  let bytes = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
    bytes += value.length;
  }
  return { firstByteMs, totalMs: performance.now() - started, bytes };
}

await request();
const sequential = [];
for (let i = 0; i < 20; i++) sequential.push(await request());
const concurrentStarted = performance.now();
const concurrent = await Promise.all(Array.from({ length: 20 }, () => request()));
const concurrentWallMs = performance.now() - concurrentStarted;
await server.close();

const stats = (runs: { firstByteMs: number; totalMs: number }[], prefix: string) => ({
  [`${prefix}FirstByteP50Ms`]: percentile(
    runs.map((r) => r.firstByteMs),
    50,
  ),
  [`${prefix}FirstByteP95Ms`]: percentile(
    runs.map((r) => r.firstByteMs),
    95,
  ),
  [`${prefix}TotalP50Ms`]: percentile(
    runs.map((r) => r.totalMs),
    50,
  ),
  [`${prefix}TotalP95Ms`]: percentile(
    runs.map((r) => r.totalMs),
    95,
  ),
});
const figures = {
  characters: input.length,
  mp3Bytes: sequential[0]?.bytes ?? 0,
  ...stats(sequential, 'sequential'),
  ...stats(concurrent, 'concurrent20'),
  concurrent20WallMs: concurrentWallMs,
};
report('POST /v1/audio/speech, 2,000 characters, eSpeak → mp3', figures);
finish(figures);
