import { SluiceError } from '@sluice/core';
import { Redis } from 'ioredis';

/** A Redis URL (`redis://host:6379/0`, `rediss://…`) or a connected ioredis client the caller owns. */
export type RedisInput = string | Redis;

/**
 * An ioredis client as BullMQ needs it: no per-command retry limit (a worker
 * waits out a Redis restart instead of failing its jobs) and reconnection
 * forever, backing off to 2 s.
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(2000, 100 * attempt),
    lazyConnect: true,
  });
}

/** Connects (when we own the client) and waits until Redis answers, or fails with E_IO naming the URL. */
export async function readyRedis(input: RedisInput, timeoutMs = 10_000): Promise<{ redis: Redis; owned: boolean }> {
  const owned = typeof input === 'string';
  const redis = owned ? connectRedis(input) : input;
  const where = owned ? input.replace(/\/\/[^@/]*@/, '//…@') : 'the given client';
  let timer: NodeJS.Timeout | undefined;
  try {
    if (redis.status === 'wait') await redis.connect();
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    if (owned) redis.disconnect();
    throw SluiceError.wrap(error, 'E_IO', `cannot reach Redis at ${where}`);
  } finally {
    clearTimeout(timer);
  }
  return { redis, owned };
}
