import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../src/index';
import { decode, useServer } from './helpers';

// Issue 16 (part): OpenAI parity and readiness, with the official openai client where it has the call.
const { url } = useServer();
const INPUT = 'Server-sent events carry the audio. Every piece arrives as base64. '.repeat(8);
const client = () => new OpenAI({ apiKey: 'not-needed', baseURL: `${url()}/v1`, maxRetries: 0 });

describe('OpenAI parity', () => {
  it('GET /v1/models lists the speech model names and the engines', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'espeak']));
  });

  it('stream_format "sse": speech.audio.delta events whose audio decodes to the whole speech, then speech.audio.done', async () => {
    const response = await client().audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      input: INPUT,
      response_format: 'mp3',
      stream_format: 'sse',
    } as Parameters<OpenAI['audio']['speech']['create']>[0]);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text())
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice(6)) as { type: string; audio?: string; usage?: Record<string, number> });
    const deltas = events.filter((event) => event.type === 'speech.audio.delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ type: 'speech.audio.done', usage: { input_tokens: INPUT.length } });
    const mp3 = Buffer.concat(deltas.map((event) => Buffer.from(event.audio as string, 'base64')));
    const direct = await client().audio.speech.create({ model: 'tts-1', voice: 'alloy', input: INPUT, response_format: 'wav' });
    const [sse] = await decode(new Uint8Array(mp3), 'sse.mp3', { sampleRate: 24000, channels: 1 });
    const [wav] = await decode(new Uint8Array(await direct.arrayBuffer()), 'direct.wav');
    // The same speech: lengths within an MP3 frame or two (eSpeak varies by a few ms between runs).
    expect(Math.abs((sse?.length ?? 0) - (wav?.length ?? 0))).toBeLessThan(3000);
  });

  it('instructions are accepted and said to be ignored; raw PCM says what it is', async () => {
    const response = await fetch(`${url()}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: 'Hello.', response_format: 'pcm', instructions: 'Speak cheerfully.' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-sluice-ignored')).toBe('instructions');
    expect(response.headers.get('x-sample-rate')).toBe('24000');
    expect(response.headers.get('x-channels')).toBe('1');
    expect(response.headers.get('x-sample-format')).toBe('s16le');
    expect((await response.arrayBuffer()).byteLength % 2).toBe(0);
    const bad = await fetch(`${url()}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: 'Hello.', stream_format: 'toString' }),
    });
    expect(bad.status).toBe(400);
  });

  it('/metrics exports event-loop delay percentiles', async () => {
    const text = await (await fetch(`${url()}/metrics`)).text();
    expect(text).toMatch(/^sluice_event_loop_delay_p50_seconds \d/m);
    expect(text).toMatch(/^sluice_event_loop_delay_p99_seconds \d/m);
  });
});

describe('captions', () => {
  it('the timed route sends the words as WebVTT or SRT captions before done', async () => {
    for (const format of ['vtt', 'srt'] as const) {
      const response = await fetch(`${url()}/v1/audio/speech/timed`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ input: 'Captions follow the words. They come in two formats.', response_format: 'wav', captions: format }),
      });
      const lines = (await response.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; text?: string });
      const caption = lines.find((line) => line.type === 'captions');
      expect(lines.at(-1)?.type).toBe('done');
      expect(caption?.text).toMatch(format === 'vtt' ? /^WEBVTT\n\n00:00:00\.\d{3} --> / : /^1\n00:00:00,\d{3} --> /);
      expect(caption?.text).toMatch(/Captions follow the words\./);
    }
  });
});

describe('warm start', () => {
  it('/healthz says starting and /readyz 503 until the engines have spoken once; then both are ready', async () => {
    const server = await buildServer({ logger: false });
    let warmed = false;
    void server.ready.then(() => {
      warmed = true;
    });
    try {
      const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
      const early = await fetch(`${base}/healthz`);
      const body = await early.json();
      if (!warmed) {
        expect(early.status).toBe(503);
        expect(body).toMatchObject({ status: 'starting' });
        expect((await fetch(`${base}/readyz`)).status).toBe(503);
      }
      await server.ready;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'ok' });
    } finally {
      await server.close();
    }
  });
});
