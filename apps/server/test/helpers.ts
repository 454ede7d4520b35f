import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CollectSink, Pipeline } from '@sluice/core';
import { RedisServer } from '@sluice/test-servers/redis';
import { FileSource } from '@sluice/writers';
import { afterAll, beforeAll } from 'vitest';
import { type ServerOptions, type SluiceServer, buildServer } from '../src/index';

/** A server on 127.0.0.1 for this file's tests; `url` is its base URL. */
export function useServer(options: ServerOptions = {}): { server: () => SluiceServer; url: () => string } {
  let server: SluiceServer | undefined;
  let url = '';
  beforeAll(async () => {
    server = await buildServer({ logger: false, ...options });
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    await server.ready;
  });
  afterAll(async () => {
    await server?.close();
  });
  return { server: () => server as SluiceServer, url: () => url };
}

/**
 * A server whose separations go through the batch queue, on a real redis-server of its own (started here): call
 * it inside a `describe.skipIf(redisMissing !== undefined)` block.
 */
export function useQueueServer(): { server: () => SluiceServer; url: () => string; redis: () => RedisServer } {
  let redis: RedisServer | undefined;
  let server: SluiceServer | undefined;
  let url = '';
  beforeAll(async () => {
    redis = await RedisServer.start();
    server = await buildServer({ logger: false, warmUp: false, queue: { redis: redis.url } });
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await redis?.close();
  });
  return { server: () => server as SluiceServer, url: () => url, redis: () => redis as RedisServer };
}

/** A scratch directory for files the tests write (removed after the file's tests). */
export const scratch = mkdtempSync(join(tmpdir(), 'sluice-server-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Decodes bytes with ffmpeg (through @sluice/writers) and returns the planes. */
export async function decode(
  bytes: Uint8Array,
  name: string,
  options: { sampleRate?: number; channels?: number } = {},
): Promise<Float32Array[]> {
  const path = join(scratch, name);
  await writeFile(path, bytes);
  const sink = new CollectSink();
  await new Pipeline({ source: await FileSource.open(path, options), sink }).wait();
  return sink.planes;
}

/** Polls `condition` every 20 ms until it holds or `ms` pass; resolves with whether it held (a hang guard, not a timing). */
export async function until(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}
