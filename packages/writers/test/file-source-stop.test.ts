import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AudioChunk, CallbackSource, Pipeline, type Sink, type Source } from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteStreamSource, FileSink, FileSource } from '../src/index';
import { settledFfmpegChildren, testSignal } from './support/audio';

// A consumer that stops reading a decoded file half-way: ffmpeg is then blocked on a full pipe nobody drains, and
// its exit was awaited through the child's 'close', which needs that pipe drained first. close() on a FileSource or
// a ByteStreamSource waited on the reader that was waiting on it (a hang), and a WAV source went on handing out
// chunks after close(). return() and a pipeline's stop(), the other two ways to stop, are checked beside them.
const RATE = 44100;
const directory = mkdtempSync(join(tmpdir(), 'sluice-stop-'));
const mp3 = join(directory, 'long.mp3');
const wav = join(directory, 'long.wav');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

beforeAll(async () => {
  // 60 s: far more decoded audio than a pipe and a stream buffer hold, so ffmpeg is still writing when we stop.
  const signal = testSignal(RATE * 60, RATE);
  for (const path of [mp3, wav])
    await new Pipeline({ source: new CallbackSource([signal], { sampleRate: RATE, channels: 2 }), sink: new FileSink(path) }).wait();
});

describe('stopping a decoded file half-way', () => {
  it.each([
    ['a FileSource over an mp3 (decoded by ffmpeg)', () => FileSource.open(mp3)],
    ['a FileSource over a WAV (read in TypeScript)', () => FileSource.open(wav)],
    ['a ByteStreamSource fed from a file stream', () => ByteStreamSource.open(createReadStream(mp3))],
  ])('close() on %s after one chunk resolves, the next pull ends iteration, and no ffmpeg is left', async (_kind, open) => {
    const source: Source = await open();
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await source.close?.();
    expect((await iterator.next()).done).toBe(true);
    expect(await settledFfmpegChildren()).toBe(0);
  });

  it('return() after one chunk resolves and leaves no ffmpeg', async () => {
    const source = await FileSource.open(mp3);
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await iterator.return?.();
    expect(await settledFfmpegChildren()).toBe(0);
  });

  it("a pipeline stopped by its sink at the first chunk ends 'stopped' and leaves no ffmpeg", async () => {
    let pipeline: Pipeline | undefined;
    const sink: Sink = {
      write(_chunk: AudioChunk) {
        void pipeline?.stop();
      },
      close() {},
    };
    pipeline = new Pipeline({ source: await FileSource.open(mp3), sink });
    const stats = await pipeline.wait();
    expect(stats.state).toBe('stopped');
    expect(await settledFfmpegChildren()).toBe(0);
  });
});
