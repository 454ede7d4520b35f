import { getEventListeners } from 'node:events';
import { CollectSink, Pipeline } from '@sluice/core';
import { TEST_CREDENTIALS, usePollyServer } from './polly-fixture';
import { describe, expect, it } from 'vitest';
import type { SpeechStream } from '@sluice/tts';
import { PollyEngine } from '../src/index';

const server = usePollyServer({ msPerChar: 40 });

const credentials = TEST_CREDENTIALS;

describe('PollyEngine.startStream (StartSpeechSynthesisStream over HTTP/2, the real SDK)', () => {
  it('streams text in and audio out over one connection, audio arriving before the text is done', async () => {
    const engine = new PollyEngine({ endpoint: server.http2Url, credentials, engine: 'generative' });
    const stream = engine.startStream();
    // One interface with TtsStream: code written against SpeechStream takes this stream as it is.
    const speech: SpeechStream = stream;
    expect(speech.feed('')).toBe(true);
    const sink = new CollectSink();
    const pipeline = new Pipeline({ source: stream, sink }).wait();
    stream.feed('The first sentence goes out at once. ');
    // Audio for the first sentence comes back while the connection is still open for more text.
    const deadline = Date.now() + 5000;
    while (sink.frames === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sink.frames).toBe(Math.round(server.seconds('The first sentence goes out at once. ') * 16000));
    stream.feed('Then a second, ');
    stream.feed('in two pieces.');
    stream.done();
    await pipeline;
    const stats = await stream.waitUntilDone();
    expect(server.duplexTexts.at(-1)).toEqual(['The first sentence goes out at once. ', 'Then a second, ', 'in two pieces.']);
    const all = 'The first sentence goes out at once. Then a second, in two pieces.';
    expect(stats.requestCharacters).toBe(all.length);
    expect(sink.frames).toBe(
      ['The first sentence goes out at once. ', 'Then a second, ', 'in two pieces.'].reduce(
        (sum, t) => sum + Math.round(server.seconds(t) * 16000),
        0,
      ),
    );
    expect(stats.audioSeconds).toBeCloseTo(sink.frames / 16000, 9);
    // The stats every SpeechStream reports: seconds, and the speed in × real time.
    expect(stats.characters).toBe(all.length);
    expect(stats.firstAudioSeconds).toBeGreaterThan(0);
    expect(stats.processingSeconds).toBeGreaterThan(stats.firstAudioSeconds);
    expect(stats.speed).toBeCloseTo(stats.audioSeconds / stats.processingSeconds, 9);
    await engine.close();
  });

  /**
   * A stream that has handed out its first chunk, with more already cut and waiting: 64-frame chunks, so one
   * audio event is cut into many.
   */
  async function streamPastItsFirstChunk(signal: AbortSignal) {
    const engine = new PollyEngine({ endpoint: server.http2Url, credentials, engine: 'generative' });
    const stream = engine.startStream({ chunkFrames: 64, signal });
    stream.feed('A sentence long enough to be cut into many small chunks. ');
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    return { engine, stream, iterator };
  }

  it('close() ends iteration at once, as every SpeechStream does: no more chunks, no error, stats settle', async () => {
    // The signal stands for a long-lived one (a server's): the ended stream must not stay among its listeners.
    const longLived = new AbortController();
    const { engine, stream, iterator } = await streamPastItsFirstChunk(longLived.signal);
    await stream.close();
    expect((await iterator.next()).done).toBe(true);
    expect(() => stream.feed('more')).toThrow(expect.objectContaining({ code: 'E_CLOSED' }));
    const stats = await stream.waitUntilDone();
    expect(stats.audioSeconds).toBeCloseTo(64 / 16000, 9);
    expect(getEventListeners(longLived.signal, 'abort')).toHaveLength(0);
    await engine.close();
  });

  it('an abort signal, unlike close(), fails the stream with E_ABORTED', async () => {
    const controller = new AbortController();
    const { engine, stream } = await streamPastItsFirstChunk(controller.signal);
    controller.abort();
    await stream.close();
    await expect(stream.waitUntilDone()).rejects.toMatchObject({ code: 'E_ABORTED' });
    await engine.close();
  });

  it('an unknown voice fails the stream with a typed error', async () => {
    const engine = new PollyEngine({ endpoint: server.http2Url, credentials });
    const stream = engine.startStream({ voice: 'Nobody' });
    stream.feed('Hello.');
    stream.done();
    await expect(new Pipeline({ source: stream, sink: new CollectSink() }).wait()).rejects.toMatchObject({ code: 'E_TTS_INVALID_TEXT' });
    await engine.close();
  });
});
