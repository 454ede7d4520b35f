import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackSource, Pipeline, ToneSource } from '@sluice/core';
import { expectCode } from '@sluice/config/test-helpers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileSink, FileSource, MultiFileSink, transcode } from '../src/index';
import { settledFfmpegChildren, testSignal } from './support/audio';

// Issue 17 item 2: no output may destroy an input, and no failed or aborted run leaves a partial file under the final name.
const directory = mkdtempSync(join(tmpdir(), 'sluice-files-'));
const path = (...parts: string[]) => join(directory, ...parts);
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(async () => {
  expect(await settledFfmpegChildren()).toBe(0);
});

beforeAll(async () => {
  mkdirSync(path('sub'));
  await new Pipeline({
    source: new CallbackSource([testSignal(44100 * 2)], { sampleRate: 44100, channels: 2 }),
    sink: new FileSink(path('a.mp3')),
  }).wait();
  await new Pipeline({
    source: new CallbackSource([testSignal(44100 * 2)], { sampleRate: 44100, channels: 2 }),
    sink: new FileSink(path('vocals.wav')),
  }).wait();
  symlinkSync(path('a.mp3'), path('link.mp3'));
  linkSync(path('a.mp3'), path('hard.mp3'));
});

/** Names in the directory that are not the test's own files: temporary leftovers. */
const leftovers = () => readdirSync(directory).filter((name) => name.endsWith('.part'));

describe('an output that is an input is refused, and the input survives', () => {
  it.each([
    ['the same path', 'a.mp3'],
    ['a path through ../', 'sub/../a.mp3'],
    ['a symlink to it', 'link.mp3'],
    ['a hardlink to it', 'hard.mp3'],
  ])('transcode with the output as %s', async (_what, output) => {
    const before = hash(path('a.mp3'));
    const error = await expectCode(transcode(path('a.mp3'), path(output)), 'E_INVALID_ARGUMENT');
    expect(error.message).toMatch(/refusing to write .* input/);
    expect(hash(path('a.mp3'))).toBe(before);
    expect(leftovers()).toEqual([]);
  });

  it('a FileSink over a file a FileSource is reading (no inputs named)', async () => {
    const before = hash(path('vocals.wav'));
    const source = await FileSource.open(path('vocals.wav'));
    await expectCode(new Pipeline({ source, sink: new FileSink(path('sub', '..', 'vocals.wav')) }).wait(), 'E_INVALID_ARGUMENT');
    expect(hash(path('vocals.wav'))).toBe(before);
  });

  it('a stem of MultiFileSink that would land on the input (separate vocals.wav --out .)', async () => {
    const before = hash(path('vocals.wav'));
    const source = await FileSource.open(path('vocals.wav'));
    const withStems = {
      name: 'fake-separation',
      process: (chunk: import('@sluice/core').AudioChunk) => ({ ...chunk, stems: { vocals: chunk.planes, drums: chunk.planes } }),
    };
    const sink = new MultiFileSink(directory, { container: 'wav' });
    await expectCode(new Pipeline({ source, processors: [withStems], sink }).wait(), 'E_INVALID_ARGUMENT');
    expect(hash(path('vocals.wav'))).toBe(before);
    expect(existsSync(path('drums.wav'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('once the source has been read, the same file may be written again', async () => {
    const copy = path('copy.wav');
    writeFileSync(copy, readFileSync(path('vocals.wav')));
    const source = await FileSource.open(copy);
    for await (const _chunk of source) {
      // read it through
    }
    await new Pipeline({ source: new ToneSource({ seconds: 0.1 }), sink: new FileSink(copy) }).wait();
    expect(readFileSync(copy).length).toBeLessThan(readFileSync(path('vocals.wav')).length);
  });
});

describe('outputs appear under their final name only when complete', () => {
  it.each(['wav', 'mp3', 'flac'])('an aborted %s FileSink leaves nothing (and keeps what was there)', async (format) => {
    const file = path(`kept.${format}`);
    writeFileSync(file, 'the previous contents');
    const controller = new AbortController();
    const pipeline = new Pipeline({
      source: new ToneSource({ seconds: 600, chunkFrames: 4410 }),
      sink: new FileSink(file),
      signal: controller.signal,
    });
    let frames = 0;
    pipeline.on('chunk', (chunk) => {
      frames += chunk.frames;
      if (frames > 44100) controller.abort();
    });
    await expectCode(pipeline.wait(), 'E_ABORTED');
    expect(readFileSync(file, 'utf8')).toBe('the previous contents');
    expect(leftovers()).toEqual([]);
  });

  it('a transcode that fails mid-way leaves no file under the output name', async () => {
    const truncated = path('truncated.mp3');
    const bytes = readFileSync(path('a.mp3'));
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    await expectCode(transcode(truncated, path('out-of-truncated.wav')), 'E_DECODE');
    expect(existsSync(path('out-of-truncated.wav'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('an unknown output extension is refused before anything is read or written', async () => {
    await expectCode(transcode(path('a.mp3'), path('o.xyz')), 'E_UNSUPPORTED');
    expect(existsSync(path('o.xyz'))).toBe(false);
  });
});
