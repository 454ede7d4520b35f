import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { decode, useServer } from './helpers';

const { url, server } = useServer();
const INPUT = 'Sluice streams speech. The first sentence leaves before the last one is made. Every format decodes to the same length.';

function client(): OpenAI {
  return new OpenAI({ apiKey: 'not-needed', baseURL: `${url()}/v1`, maxRetries: 0 });
}

async function post(path: string, body: unknown, raw = false): Promise<Response> {
  return fetch(`${url()}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
}

describe('POST /v1/audio/speech with the official openai client', () => {
  let referenceSeconds = 0;

  it('wav: chunked, audio/wav, 24 kHz mono, decodes to the whole speech', async () => {
    const response = await client().audio.speech.create({ model: 'tts-1', voice: 'alloy', input: INPUT, response_format: 'wav' });
    expect(response.headers.get('content-type')).toBe('audio/wav');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const planes = await decode(bytes, 'speech.wav');
    referenceSeconds = (planes[0]?.length ?? 0) / 24000;
    expect(referenceSeconds).toBeGreaterThan(4);
    // The streamed header says "unknown length", which players read as "until the end".
    expect(Buffer.from(bytes.subarray(40, 44)).readUInt32LE(0)).toBe(0xffffffff);
  });

  it.each([
    ['mp3', 'audio/mpeg'],
    ['opus', 'audio/ogg'],
    ['aac', 'audio/aac'],
    ['flac', 'audio/flac'],
    ['pcm', 'audio/pcm'],
  ] as const)('%s streams with Content-Type %s and decodes to the same duration', async (format, mime) => {
    const response = await client().audio.speech.create({ model: 'tts-1', voice: 'alloy', input: INPUT, response_format: format });
    expect(response.headers.get('content-type')).toBe(mime);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const seconds =
      format === 'pcm'
        ? bytes.length / 2 / 24000
        : ((await decode(bytes, `speech.${format}`, { sampleRate: 24000, channels: 1 }))[0]?.length ?? 0) / 24000;
    // eSpeak's output varies by a few milliseconds from run to run (measured: up to 10 ms on 6 s), and
    // lossy codecs add their priming and padding; the speech itself is the same.
    expect(Math.abs(seconds - referenceSeconds)).toBeLessThan(format === 'flac' || format === 'pcm' ? 0.03 : 0.12);
  });

  it('speed changes the duration, and an eSpeak voice id works as well as an OpenAI name', async () => {
    const fast = await client().audio.speech.create({
      model: 'tts-1',
      voice: 'gmw/en-GB-x-rp',
      input: INPUT,
      response_format: 'pcm',
      speed: 2,
    });
    const seconds = (await fast.arrayBuffer()).byteLength / 2 / 24000;
    expect(seconds).toBeLessThan(0.7 * referenceSeconds);
  });
});

describe('POST /v1/audio/speech/timed', () => {
  it('gives audio and words as NDJSON, in order, covering every word', async () => {
    const response = await post('/v1/audio/speech/timed', { input: INPUT, response_format: 'pcm' });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: 'format', response_format: 'pcm', sample_rate: 24000 });
    expect(lines.at(-1)).toMatchObject({ type: 'done' });
    const words = lines.filter((l) => l.type === 'word');
    expect(words.map((w) => w.text)).toEqual(INPUT.match(/[\p{L}\d]+/gu));
    const audioBytes = lines.filter((l) => l.type === 'audio').reduce((sum, l) => sum + Buffer.from(l.data, 'base64').length, 0);
    expect(words.at(-1).endSeconds).toBeLessThanOrEqual(audioBytes / 2 / 24000 + 1e-6);
    expect(lines.at(-1).audio_seconds).toBeCloseTo(audioBytes / 2 / 24000, 6);
  });
});

describe('bad input gets a JSON error with a code', () => {
  it.each([
    ['malformed JSON', '{"input": ', 400, 'E_INVALID_ARGUMENT'],
    ['empty input', { input: '  ' }, 400, 'E_INVALID_ARGUMENT'],
    ['unknown format', { input: 'Hi.', response_format: 'ogg' }, 400, 'E_INVALID_ARGUMENT'],
    ['unknown voice', { input: 'Hi.', voice: 'gmw/en-UZ' }, 400, 'E_TTS_VOICE'],
    ['speed out of range', { input: 'Hi.', speed: 9 }, 400, 'E_INVALID_ARGUMENT'],
    ['unknown engine', { input: 'Hi.', engine: 'festival' }, 400, 'E_INVALID_ARGUMENT'],
    ['a body over the limit', { input: 'x'.repeat(200_000) }, 413, 'E_CHUNK_TOO_LARGE'],
    ['path tricks in the voice', { input: 'Hi.', voice: '../../etc/passwd' }, 400, 'E_TTS_VOICE'],
  ] as const)('%s', async (_name, body, status, code) => {
    const response = await post('/v1/audio/speech', body, typeof body === 'string');
    expect(response.status).toBe(status);
    const json = await response.json();
    expect(json.error.code).toBe(code);
    expect(JSON.stringify(json)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('unknown routes are JSON 404s', async () => {
    const response = await fetch(`${url()}/v1/nothing`);
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe('E_NOT_FOUND');
  });

  it('a client that disconnects mid-stream stops the synthesis and frees its slot', async () => {
    const controller = new AbortController();
    const response = await fetch(`${url()}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: INPUT.repeat(20), response_format: 'wav' }),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(server().context.slots.count('speech')).toBe(1);
    controller.abort();
    const deadline = Date.now() + 5000;
    while (server().context.slots.count('speech') > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server().context.slots.count('speech')).toBe(0);
  });
});

describe('voices, metrics, health', () => {
  it('lists the voices of every engine and the OpenAI names', async () => {
    const { voices, openai_voices: names } = await (await fetch(`${url()}/v1/audio/voices`)).json();
    expect(names).toContain('alloy');
    expect(voices.find((v: { id: string }) => v.id === 'gmw/en-US')).toMatchObject({ engine: 'espeak' });
  });

  it('serves Prometheus metrics and a health check', async () => {
    const text = await (await fetch(`${url()}/metrics`)).text();
    expect(text).toMatch(/# TYPE sluice_requests_total counter/);
    expect(text).toMatch(/sluice_requests_total\{route="\/v1\/audio\/speech",status="200"\} \d+/);
    expect(text).toMatch(/sluice_errors_total\{code="E_TTS_VOICE"\} \d+/);
    expect(text).toMatch(/sluice_synthesis_speed \d/);
    expect(await (await fetch(`${url()}/healthz`)).json()).toEqual({ status: 'ok', engines: ['espeak'] });
  });
});
