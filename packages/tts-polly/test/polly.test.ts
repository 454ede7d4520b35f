import { CollectSink } from '@sluice/core';
import { expectCode } from '@sluice/config/test-helpers';
import { describe, expect, it } from 'vitest';
import { type TtsStream, type WordEvent, speakStreamed } from '@sluice/tts';
import { PollyEngine, type PollyEngineOptions } from '../src/index';
import { TEST_CREDENTIALS, usePollyServer } from './polly-fixture';

const server = usePollyServer({ msPerChar: 40 });

const credentials = TEST_CREDENTIALS;
function engine(options: PollyEngineOptions = {}): PollyEngine {
  return new PollyEngine({ endpoint: server.http1Url, credentials, retry: { baseMs: 5, capMs: 20 }, ...options });
}

async function speakAll(polly: PollyEngine, text: string, extra: Partial<ConstructorParameters<typeof TtsStream>[0]> = {}) {
  const sink = new CollectSink();
  const words: WordEvent[] = [];
  const result = await speakStreamed(text, { engine: polly, sink, onWord: (word) => words.push(word), ...extra });
  return { sink, words, result };
}

const TEXT =
  'The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs! How vexingly quick daft zebras jump? Sphinx of black quartz, judge my vow.';

describe('PollyEngine against a Polly-compatible server (the real AWS SDK)', () => {
  it.each(['http1', 'http2'] as const)(
    'speaks over %s: audio length follows the text, word times in seconds on the stream timeline',
    async (http) => {
      const polly = engine({ http, endpoint: http === 'http1' ? server.http1Url : server.http2Url });
      const before = server.requests.length;
      const { sink, words, result } = await speakAll(polly, TEXT);
      const requests = server.requests.slice(before).filter((r) => r.format === 'pcm');
      // No text lost or repeated: what the server was asked to say is the text, in order.
      expect(requests.map((r) => r.text).join('')).toBe(TEXT);
      const expectedSeconds = requests.reduce((sum, r) => sum + server.seconds(r.text), 0);
      expect(sink.frames / 16000).toBeCloseTo(expectedSeconds, 3);
      expect(result.speech.audioSeconds).toBeCloseTo(expectedSeconds, 3);
      // Every word, in order, at its place in the text and at the time the server put it (40 ms per character of its request).
      const expectedWords = [...TEXT.matchAll(/\S+/g)].map((m) => m[0]);
      expect(words.map((w) => w.text)).toEqual(expectedWords);
      let timeline = 0;
      for (const request of requests) {
        const offset = TEXT.indexOf(request.text);
        for (const m of request.text.matchAll(/\S+/g)) {
          const word = words.find((w) => w.start === offset + (m.index as number));
          expect(word?.text).toBe(m[0]);
          expect(word?.startSeconds).toBeCloseTo(timeline + ((m.index as number) * 40) / 1000, 6);
        }
        timeline += server.seconds(request.text);
      }
      expect(
        words.every((w, i) => w.endSeconds >= w.startSeconds && (i === 0 || w.startSeconds > (words[i - 1] as WordEvent).startSeconds)),
      ).toBe(true);
      expect(words.at(-1)?.endSeconds).toBeCloseTo(expectedSeconds, 3);
      await polly.close();
    },
  );

  it.each(['mp3', 'ogg_vorbis'] as const)('decodes %s through ffmpeg as it arrives, at 24 kHz', async (outputFormat) => {
    const polly = engine({ outputFormat, sampleRate: 24000 });
    const text = 'Compressed audio is decoded once, as it streams in.';
    const { sink, words } = await speakAll(polly, text);
    // Encoder padding aside, the length follows the text.
    expect(sink.frames / 24000).toBeGreaterThan(server.seconds(text) - 0.01);
    expect(sink.frames / 24000).toBeLessThan(server.seconds(text) + 0.08);
    expect(words).toHaveLength(9);
  });

  it('splits text beyond Polly’s 3,000 billed characters and never has it refused', async () => {
    const polly = engine();
    const text = Array.from({ length: 160 }, (_, i) => `Sentence ${i} carries a few words of text.`).join(' ');
    const before = server.requests.length;
    const { sink } = await speakAll(polly, text);
    const requests = server.requests.slice(before).filter((r) => r.format === 'pcm');
    expect(text.length).toBeGreaterThan(6000);
    expect(requests.every((r) => r.text.length <= 3000)).toBe(true);
    expect(requests.map((r) => r.text).join('')).toBe(text);
    expect(sink.frames).toBe(requests.reduce((sum, r) => sum + Math.round(server.seconds(r.text) * 16000), 0));
  });

  it('lists voices through DescribeVoices', async () => {
    const voices = await engine().voices();
    expect(voices.map((v) => v.id)).toContain('Joanna');
    expect(voices.find((v) => v.id === 'Hans')).toMatchObject({ language: 'de-DE', gender: 'male', engines: ['standard'] });
  });

  it('retries throttling, 5xx, reset connections and slow first bytes, keeping order', async () => {
    const polly = engine();
    server.faults.push('throttle', 'http500', 'reset', 'slow-first-byte');
    const before = server.requests.length;
    const { sink } = await speakAll(polly, TEXT, { prefetch: 0 });
    const audio = server.requests.slice(before).filter((r) => r.format === 'pcm');
    expect(audio.slice(0, 4).map((r) => r.fault)).toEqual(['throttle', 'http500', 'reset', 'slow-first-byte']);
    const said = audio.filter((r) => r.fault === undefined || r.fault === 'slow-first-byte').map((r) => r.text);
    expect(said.join('')).toBe(TEXT);
    expect(sink.frames / 16000).toBeCloseTo(server.seconds(TEXT), 3);
  });

  it('resumes a body cut short without playing anything twice', async () => {
    const polly = engine();
    server.faults.push('cut-short');
    const before = server.requests.length;
    const { sink } = await speakAll(polly, 'One short sentence that gets cut. ');
    const attempts = server.requests.slice(before).filter((r) => r.format === 'pcm');
    expect(attempts.map((r) => r.fault)).toEqual(['cut-short', undefined]);
    const expected = Math.round(server.seconds(attempts[1]?.text as string) * 16000);
    expect(sink.frames).toBe(expected);
    // The tone is continuous: a repeated or missing piece would break it.
    const plane = sink.planes[0] as Float32Array;
    for (let i = 0; i < plane.length; i += 97)
      expect(plane[i]).toBeCloseTo(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 16000)) / 32768, 6);
  });

  it('gives up after the configured attempts with E_TTS_THROTTLED naming the text', async () => {
    const polly = engine({ retry: { attempts: 2, baseMs: 1, capMs: 2 } });
    server.faults.push('throttle', 'throttle');
    const error = await speakAll(polly, 'Hello there.').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_TTS_THROTTLED', details: { start: 0, end: 12, attempts: 2 } });
  });

  it('never retries client errors: invalid SSML is E_TTS_INVALID_TEXT with the span, an unknown voice E_TTS_VOICE with close matches', async () => {
    const polly = engine();
    const before = server.requests.length;
    server.faults.push('invalid-ssml');
    const ssml = await speakAll(polly, '<speak>Hi there.</speak>', { textType: 'ssml' }).catch((caught: unknown) => caught);
    expect(ssml).toMatchObject({ code: 'E_TTS_INVALID_TEXT', details: { start: 0 } });
    expect(server.requests.slice(before).filter((r) => r.format === 'pcm')).toHaveLength(1);
    const voice = await speakAll(polly, 'Hello.', { voice: 'Joana' }).catch((caught: unknown) => caught);
    expect(voice).toMatchObject({ code: 'E_TTS_VOICE' });
    expect((voice as Error).message).toMatch(/close matches: Joanna/);
  });

  it('says plainly that the generative engine has no word timings', async () => {
    const polly = engine({ engine: 'generative' });
    const { words, result } = await speakAll(polly, 'A generative voice.');
    expect(words).toEqual([]);
    expect(result.speech).toMatchObject({ wordTimings: false, timingsNote: expect.stringMatching(/generative/) });
  });

  it('a server that is down is E_TTS_SERVICE after the retries', async () => {
    const polly = new PollyEngine({ endpoint: 'http://127.0.0.1:9', credentials, retry: { attempts: 2, baseMs: 1, capMs: 2 } });
    await expectCode(speakAll(polly, 'Anyone there?'), 'E_TTS_SERVICE');
  });

  it('missing credentials say how to provide them', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_CONFIG_FILE: '/nonexistent',
    });
    for (const key of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
    ])
      delete process.env[key];
    try {
      const polly = new PollyEngine({ endpoint: server.http1Url, retry: { attempts: 1 } });
      const error = await speakAll(polly, 'Hello.').catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'E_TTS_CREDENTIALS' });
      expect((error as Error).message).toMatch(/AWS_ACCESS_KEY_ID/);
    } finally {
      process.env = saved;
    }
  });

  it('honours AWS_ENDPOINT_URL_POLLY', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_POLLY;
    process.env.AWS_ENDPOINT_URL_POLLY = server.http1Url;
    try {
      const polly = new PollyEngine({ credentials, region: 'eu-west-1' });
      const { sink } = await speakAll(polly, 'Found by the environment.');
      expect(sink.frames).toBeGreaterThan(0);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_POLLY;
      else process.env.AWS_ENDPOINT_URL_POLLY = saved;
    }
  });
});
