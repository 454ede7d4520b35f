import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { until, useServer } from './helpers';

const { url, server } = useServer();

/** Threads of this process (the server runs in it): worker threads show up here while they live. */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

interface Session {
  audio: Float32Array[];
  json: Record<string, unknown>[];
  closed: Promise<number>;
  socket: WebSocket;
}

async function open(config: unknown): Promise<Session> {
  const socket = new WebSocket(`${url().replace('http', 'ws')}/v1/stream`);
  const audio: Float32Array[] = [];
  const json: Record<string, unknown>[] = [];
  socket.on('message', (data: Buffer, binary: boolean) => {
    if (binary) audio.push(new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)));
    else json.push(JSON.parse(data.toString('utf8')));
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify(config));
  return { audio, json, closed, socket };
}

describe('GET /v1/stream (WebSocket)', () => {
  it('applies gain and reports metrics per chunk, every frame coming back in order', async () => {
    const session = await open({ sampleRate: 16000, channels: 1, processors: [{ type: 'gain', db: -6.0206 }, { type: 'metrics' }] });
    const sent: number[] = [];
    for (let chunk = 0; chunk < 40; chunk++) {
      const frames = Float32Array.from({ length: 800 }, (_, i) => 0.5 * Math.sin((chunk * 800 + i) / 10));
      sent.push(...frames);
      session.socket.send(frames);
    }
    session.socket.send('end');
    expect(await session.closed).toBe(1000);
    const received = session.audio.flatMap((part) => Array.from(part));
    expect(received.length).toBe(sent.length);
    for (let i = 0; i < sent.length; i += 37) expect(received[i]).toBeCloseTo((sent[i] as number) / 2, 4);
    expect(session.json.filter((m) => m.type === 'metrics')).toHaveLength(40);
    expect(session.json.at(-1)).toMatchObject({ type: 'done' });
  });

  it('resamples and separates across the socket', async () => {
    const session = await open({
      sampleRate: 44100,
      channels: 2,
      processors: [
        { type: 'separate', stem: 'bass' },
        { type: 'resample', sampleRate: 22050 },
      ],
    });
    const frames = 44100;
    const interleaved = new Float32Array(frames * 2);
    for (let i = 0; i < frames; i++) interleaved[2 * i] = interleaved[2 * i + 1] = 0.4 * Math.sin((2 * Math.PI * 60 * i) / 44100);
    for (let at = 0; at < interleaved.length; at += 8192) session.socket.send(interleaved.subarray(at, at + 8192));
    session.socket.send('end');
    expect(await session.closed).toBe(1000);
    const received = session.audio.reduce((sum, part) => sum + part.length, 0) / 2;
    expect(received).toBe(22050);
  });

  it('a client that closes mid-separation frees its slot and ends the separator’s worker threads', async () => {
    const baseline = threadCount();
    const session = await open({ sampleRate: 44100, channels: 2, processors: [{ type: 'separate', stem: 'vocals' }] });
    const second = new Float32Array(44100 * 2).map((_, i) => 0.3 * Math.sin(i / 7));
    // Five seconds: more than one of the live stream's 2-second windows, so the workers are running.
    for (let n = 0; n < 5; n++) session.socket.send(second);
    expect(await until(() => session.audio.length > 0)).toBe(true);
    expect(threadCount()).toBeGreaterThan(baseline);
    session.socket.terminate();
    expect(await until(() => server().context.slots.count('socket') === 0)).toBe(true);
    expect(await until(() => threadCount() <= baseline)).toBe(true);
  });

  it('a bad configuration or stray message closes the socket with a JSON error', async () => {
    const bad = await open({ sampleRate: 5, channels: 1, processors: [] });
    expect(await bad.closed).toBe(1008);
    expect(bad.json[0]).toMatchObject({ type: 'error', error: { code: 'E_INVALID_ARGUMENT' } });
    const stray = await open({ sampleRate: 16000, channels: 2, processors: [{ type: 'reverb' }] });
    expect(await stray.closed).toBe(1008);
    expect(stray.json[0]).toMatchObject({ error: { message: expect.stringMatching(/unknown processor/) } });
    const odd = await open({ sampleRate: 16000, channels: 2, processors: [] });
    odd.socket.send(new Uint8Array(6));
    expect(await odd.closed).toBe(1008);
  });
});
