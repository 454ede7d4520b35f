import { execFileSync } from 'node:child_process';
import { seededRandom } from '@sluice/config/test-helpers';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useServer } from './helpers';

// Issue 17: a seeded, bounded stream of random and hostile requests; afterwards nothing is held and the server still works.
const { server, url } = useServer({ limits: { requestsPerMinute: 100_000, socketConfigTimeoutMs: 500, socketIdleTimeoutMs: 1000 } });

const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
const FIELDS = ['input', 'voice', 'engine', 'response_format', 'speed', 'model', 'instructions', 'stream_format'];

function randomValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * 12);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return HOSTILE_KEYS[Math.floor(random() * HOSTILE_KEYS.length)];
    case 2:
      return random() * 1e6 - 5e5;
    case 3:
      return Number.MAX_SAFE_INTEGER;
    case 4:
      return '';
    case 5:
      return 'x'.repeat(Math.floor(random() * 40_000));
    case 6:
      return depth < 2 ? [randomValue(random, depth + 1), randomValue(random, depth + 1)] : [];
    case 7:
      return depth < 2 ? randomObject(random, depth + 1) : {};
    case 8:
      return random() < 0.5;
    case 9:
      return ['mp3', 'wav', 'pcm', 'flac', 'opus', 'aac'][Math.floor(random() * 6)];
    case 10:
      return 'Hi.';
    default:
      return '../../etc/passwd';
  }
}

function randomObject(random: () => number, depth = 0): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const count = Math.floor(random() * 5);
  for (let i = 0; i < count; i++) {
    const key =
      random() < 0.3
        ? (HOSTILE_KEYS[Math.floor(random() * HOSTILE_KEYS.length)] as string)
        : (FIELDS[Math.floor(random() * FIELDS.length)] as string);
    Object.defineProperty(object, key, { value: randomValue(random, depth), enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** Child processes of this process (ffmpeg encoders, anything the server started). */
function children(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !/\bps$/.test(line));
  } catch {
    return [];
  }
}

async function settle(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

describe('a seeded fuzz of hostile requests', () => {
  it('300 random JSON bodies, query strings, multipart bodies and socket messages: no 500, nothing held afterwards', async () => {
    const random = seededRandom(17);
    const statuses = new Map<number, number>();
    const internal: string[] = [];
    const paths = ['/v1/audio/speech', '/v1/audio/speech/timed'];
    for (let round = 0; round < 30; round++) {
      const requests: Promise<void>[] = [];
      for (let i = 0; i < 10; i++) {
        const kind = Math.floor(random() * 5);
        const signal = AbortSignal.timeout(15_000);
        let request: Promise<Response>;
        if (kind <= 1) {
          const body =
            random() < 0.1
              ? '{"__proto__": {"x": 1}, "input": "a"}'
              : JSON.stringify(random() < 0.8 ? randomObject(random) : randomValue(random));
          request = fetch(`${url()}${paths[kind]}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal });
        } else if (kind === 2) {
          const key = HOSTILE_KEYS[Math.floor(random() * HOSTILE_KEYS.length)] as string;
          const id = random() < 0.5 ? key : '00000000-0000-0000-0000-000000000000';
          request = fetch(
            `${url()}/v1/audio/separations/${encodeURIComponent(id)}/stems/${encodeURIComponent(key)}?format=${encodeURIComponent(key)}`,
            { signal },
          );
        } else if (kind === 3) {
          const form = new FormData();
          const name = random() < 0.5 ? HOSTILE_KEYS[Math.floor(random() * HOSTILE_KEYS.length)] : 'file';
          form.append(
            name as string,
            new Blob([Buffer.alloc(Math.floor(random() * 5000), Math.floor(random() * 256))]),
            `${randomValue(random)}`,
          );
          request = fetch(`${url()}/v1/audio/separations`, { method: 'POST', body: form, signal });
        } else {
          requests.push(socketFuzz(random));
          continue;
        }
        requests.push(
          request.then(
            async (response) => {
              statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
              const text = await response.text().catch(() => '');
              if (response.status >= 500 && response.status !== 503) internal.push(`${response.status} ${text.slice(0, 200)}`);
            },
            (error: Error) => {
              internal.push(`no answer: ${error.message}`);
            },
          ),
        );
      }
      await Promise.all(requests);
    }
    expect(internal).toEqual([]);
    expect(await settle(() => server().context.slots.count('speech') === 0 && server().context.slots.count('socket') === 0, 15_000)).toBe(
      true,
    );
    expect(await settle(() => server().context.jobs.active === 0, 60_000)).toBe(true);
    const metrics = await (await fetch(`${url()}/metrics`)).text();
    expect(metrics).toMatch(/^sluice_active_streams 0$/m);
    expect(await settle(() => children().length === 0, 10_000)).toBe(true);
    const normal = await fetch(`${url()}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: 'After all that, still speaking.', response_format: 'mp3' }),
    });
    expect(normal.status).toBe(200);
    expect((await normal.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});

async function socketFuzz(random: () => number): Promise<void> {
  const socket = new WebSocket(`${url().replace('http', 'ws')}/v1/stream`);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('open', resolve));
  const messages = Math.floor(random() * 4);
  for (let i = 0; i < messages; i++) {
    if (socket.readyState !== socket.OPEN) break;
    const choice = random();
    if (choice < 0.3) socket.send(JSON.stringify(randomObject(random)));
    else if (choice < 0.5)
      socket.send(JSON.stringify({ sampleRate: 16000, channels: 1, processors: [randomValue(random), randomObject(random)] }));
    else if (choice < 0.7) socket.send(Buffer.alloc(Math.floor(random() * 64)));
    else socket.send(String(randomValue(random)));
  }
  if (random() < 0.5) socket.close();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3000))]);
  socket.terminate();
}
