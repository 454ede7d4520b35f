import { expectCode, expectThrowCode } from '@sluice/config/test-helpers';
import { describe, expect, it } from 'vitest';
import { type ChunkEvent, type SynthesisEvent, type TtsEngine, TtsStream } from '@sluice/tts';
import { PollyEngine } from '../src/index';
import { TEST_CREDENTIALS, usePollyServer } from './polly-fixture';

const server = usePollyServer({ msPerChar: 40, pieces: 8, pieceGapMs: 2 });

const engine = () => new PollyEngine({ endpoint: server.http1Url, credentials: TEST_CREDENTIALS, retry: { baseMs: 1, capMs: 2 } });

async function drain(stream: TtsStream): Promise<{ frames: number; chunks: number; finals: number }> {
  let frames = 0;
  let chunks = 0;
  let finals = 0;
  for await (const chunk of stream) {
    frames += chunk.frames;
    chunks++;
    if (chunk.final) finals++;
  }
  return { frames, chunks, finals };
}

describe('TtsStream', () => {
  it('feeds text piece by piece: complete sentences start before done(), the last waits for it', async () => {
    const stream = new TtsStream({ engine: engine() });
    const before = server.requests.length;
    stream.feed('First sentence is complete. Second sen');
    const deadline = Date.now() + 10_000;
    while (!server.requests.slice(before).some((r) => r.format === 'pcm') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const early = server.requests
      .slice(before)
      .filter((r) => r.format === 'pcm')
      .map((r) => r.text);
    expect(early).toEqual(['First sentence is complete. ']);
    stream.feed('tence arrives later.');
    stream.done();
    const { frames, finals } = await drain(stream);
    const said = server.requests
      .slice(before)
      .filter((r) => r.format === 'pcm')
      .map((r) => r.text);
    expect(said.join('')).toBe('First sentence is complete. Second sentence arrives later.');
    expect(frames).toBe(said.reduce((sum, text) => sum + Math.round(server.seconds(text) * 16000), 0));
    expect(finals).toBe(1);
    const stats = await stream.waitUntilDone();
    // Seconds, like PipelineStats, and the speed in × real time.
    expect(stats.firstAudioSeconds).toBeGreaterThan(0);
    expect(stats.processingSeconds).toBeGreaterThan(stats.firstAudioSeconds);
    expect(stats.audioSeconds).toBeCloseTo(frames / 16000, 9);
    expect(stats.speed).toBeCloseTo(stats.audioSeconds / stats.processingSeconds, 9);
  });

  it('resamples continuously to the requested rate, in stereo chunks of the requested size, with text spans', async () => {
    const stream = new TtsStream({ engine: engine(), sampleRate: 48000, channels: 2, chunkFrames: 1000 });
    const events: ChunkEvent[] = [];
    stream.on('chunk', (event) => events.push(event));
    const text = 'One. Two two. Three three three.';
    stream.feed(text);
    stream.done();
    let frames = 0;
    for await (const chunk of stream) {
      expect(chunk.format).toEqual({ sampleRate: 48000, channels: 2 });
      expect(chunk.frames).toBeLessThanOrEqual(1000);
      expect(chunk.meta?.text).toBe(text.slice(chunk.meta?.start as number, chunk.meta?.end as number));
      frames += chunk.frames;
    }
    expect(frames / 48000).toBeCloseTo(server.seconds(text.replace(/ $/, '')) + 0, 1);
    expect(new Set(events.map((e) => e.index))).toEqual(new Set([0, 1]));
    expect(events.every((e, i) => i === 0 || e.startSeconds >= (events[i - 1] as ChunkEvent).startSeconds)).toBe(true);
  });

  it('bounds the audio it holds: bufferFull() and drain when the consumer is slow', async () => {
    // The largest audio event the engine hands over: one HTTP read, which under load can hold several of the
    // server's pieces at once.
    let largestRead = 0;
    const polly = engine();
    const measured: TtsEngine = {
      name: polly.name,
      sampleRate: polly.sampleRate,
      maxSegmentChars: polly.maxSegmentChars,
      supportsSsml: polly.supportsSsml,
      voices: (signal) => polly.voices(signal),
      async *synthesize(text, options, signal) {
        for await (const event of polly.synthesize(text, options, signal)) {
          if (event.type === 'audio') largestRead = Math.max(largestRead, event.samples.length);
          yield event;
        }
      },
    };
    const stream = new TtsStream({ engine: measured, bufferSeconds: 1, prefetch: 3, maxSegmentChars: 40 });
    let drains = 0;
    stream.on('drain', () => drains++);
    const text = Array.from({ length: 8 }, (_, i) => `Sentence ${i} has some words in it.`).join(' ');
    stream.feed(text);
    stream.done();
    const deadline = Date.now() + 10_000;
    while (!stream.bufferFull() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    // Give the jobs time to reach the bound and stop there.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.bufferFull()).toBe(true);
    // One sentence per request (about 34 characters: 21,760 frames, sent in 8 pieces). Synthesis pauses at
    // the bound; each of the 4 jobs in flight may overshoot it by the one read it was taking in (one piece when
    // the machine is idle, several coalesced under load). Unbounded, it would hold all 8 sentences (174,080
    // frames): more than this bound allows even were every read a whole response (16,000 + 4 × 21,760).
    expect(largestRead).toBeGreaterThan(0);
    expect((stream as unknown as { budget: { held: number } }).budget.held).toBeLessThanOrEqual(16000 + 4 * largestRead);
    const { frames } = await drain(stream);
    expect(frames).toBe(Math.round(server.seconds(text) * 16000));
    expect(drains).toBeGreaterThan(0);
  });

  it('close() cancels what is pending and ends iteration; feed after done is E_CLOSED', async () => {
    // Chunks far smaller than one engine read: after the first chunk, more are always cut and waiting, and close()
    // must drop them (a read coalesced under load used to hand one out after close()).
    const stream = new TtsStream({ engine: engine(), chunkFrames: 64 });
    stream.feed('A first sentence. A second sentence. A third one.');
    stream.done();
    expectThrowCode(() => stream.feed('more'), 'E_CLOSED');
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await stream.close();
    expect((await iterator.next()).done).toBe(true);
    await stream.waitUntilDone();
  });

  it('an abort signal fails the stream with E_ABORTED', async () => {
    const controller = new AbortController();
    const stream = new TtsStream({ engine: engine(), signal: controller.signal });
    stream.on('error', () => undefined);
    stream.feed('Something long enough to still be going. And more after it.');
    stream.done();
    controller.abort();
    await expect(drain(stream)).rejects.toMatchObject({ code: 'E_ABORTED' });
  });

  it('empty text ends at once, and bad options are refused', async () => {
    const stream = new TtsStream({ engine: engine() });
    stream.feed('   ');
    stream.done();
    expect((await drain(stream)).frames).toBe(0);
    expectThrowCode(() => new TtsStream({ engine: engine(), channels: 3 }), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => new TtsStream({ engine: engine(), prefetch: -1 }), 'E_INVALID_ARGUMENT');
  });
});

describe('a stream stopped while its engine is still starting', () => {
  // An engine whose first request never answers and ignores the signal, as a worker still loading does: nothing it
  // does keeps Node's event loop alive, so a consumer left waiting on it would let a CLI exit 0 mid-way.
  const stalled: TtsEngine = {
    name: 'stalled',
    sampleRate: 24000,
    maxSegmentChars: 1000,
    supportsSsml: false,
    voices: async () => [],
    synthesize: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<SynthesisEvent>>(() => undefined) }),
    }),
  };

  it('an abort ends the waiting pull with E_ABORTED', async () => {
    const stop = new AbortController();
    const stream = new TtsStream({ engine: stalled, signal: stop.signal });
    stream.on('error', () => undefined);
    stream.feed('A sentence that never comes back. ');
    stream.done();
    const pull = stream[Symbol.asyncIterator]().next();
    setTimeout(() => stop.abort(), 20);
    await expectCode(pull, 'E_ABORTED');
  });

  it('close() ends the waiting pull', async () => {
    const stream = new TtsStream({ engine: stalled });
    stream.feed('Another sentence that never comes back. ');
    stream.done();
    const pull = stream[Symbol.asyncIterator]().next();
    setTimeout(() => void stream.close(), 20);
    expect(await pull).toEqual({ done: true, value: undefined });
  });
});
