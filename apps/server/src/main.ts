#!/usr/bin/env node
/**
 * `sluice-server` / `pnpm serve`: the demo server on its embedded defaults
 * (eSpeak, the DSP separator, the bundled ffmpeg). HOST and PORT choose where
 * it listens (127.0.0.1:8787 by default); SLUICE_POLLY=1 adds Amazon Polly
 * (credentials and region from the AWS SDK's chain). REDIS_URL sends
 * separations through the batch queue (SLUICE_EMBEDDED_WORKER=0: only to
 * `sluice worker` processes elsewhere).
 */
import { locateFfmpeg } from '@sluice/writers';
import { buildServer, espeakPool } from './app';
import { DEFAULT_LIMITS } from './context';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8787);
const shutdownTimeoutMs = Number(process.env.SLUICE_SHUTDOWN_TIMEOUT_MS ?? DEFAULT_LIMITS.shutdownTimeoutMs);
const workers = process.env.SLUICE_SPEECH_WORKERS === undefined ? undefined : Number(process.env.SLUICE_SPEECH_WORKERS);
const engines = {
  espeak: espeakPool(workers),
  // Loaded only when asked for: the AWS SDK takes a while to import.
  ...(process.env.SLUICE_POLLY === '1' ? { polly: new (await import('@sluice/tts-polly')).PollyEngine() } : {}),
};
// REDIS_URL: separations go through the batch queue (BullMQ), to this server's worker and any `sluice worker`.
const redis = process.env.REDIS_URL;
const queue = redis === undefined || redis === '' ? undefined : { redis, embeddedWorker: process.env.SLUICE_EMBEDDED_WORKER !== '0' };
const server = await buildServer({
  engines,
  logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  limits: { shutdownTimeoutMs },
  ...(queue === undefined ? {} : { queue }),
});
const ffmpeg = await locateFfmpeg().catch(() => undefined);
await server.app.listen({ host, port });
const listening = server.app.server.address();
const actualPort = typeof listening === 'object' && listening !== null ? listening.port : port;
process.stdout.write(
  `Sluice demo server: http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/\n` +
    `  engines: ${Object.keys(engines).join(', ')}; separation: DSP (no weights)${queue ? ' through the batch queue at REDIS_URL' : ''}; ffmpeg: ${ffmpeg ? `${ffmpeg.version} (${ffmpeg.origin})` : 'not found'}\n` +
    `  try: curl -s http://${host}:${actualPort}/v1/audio/speech -H 'Content-Type: application/json' -d '{"input":"Hello from Sluice.","response_format":"wav"}' -o hello.wav\n`,
);
void server.ready.then(() => process.stdout.write('  ready: engines warmed (/readyz)\n'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
