import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackSource, CollectSink, Pipeline, ToneSource } from '@sluice/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FfmpegStreamWriter, FileSink, FileSource, createWriter, locateFfmpeg, probe } from '../src/index';
import { expectCode, expectThrowCode } from '@sluice/config/test-helpers';
import { ffmpegDecode, settledFfmpegChildren, testSignal } from './support/audio';

const directory = mkdtempSync(join(tmpdir(), 'sluice-bad-'));
const path = (name: string) => join(directory, name);
afterAll(() => rmSync(directory, { recursive: true, force: true }));
// No failure may leave an ffmpeg process behind.
afterEach(async () => {
  expect(await settledFfmpegChildren()).toBe(0);
});

beforeAll(async () => {
  await new Pipeline({
    source: new CallbackSource([testSignal(44100 * 3)], { sampleRate: 44100, channels: 2 }),
    sink: new FileSink(path('whole.mp3')),
  }).wait();
  const bytes = readFileSync(path('whole.mp3'));
  writeFileSync(path('truncated.mp3'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  writeFileSync(path('empty.wav'), '');
  writeFileSync(path('text.mp3'), 'this is not audio, just a text file with an mp3 name\n'.repeat(20));
});

async function decodeAll(file: string, options = {}) {
  const sink = new CollectSink();
  await new Pipeline({ source: await FileSource.open(file, options), sink }).wait();
  return sink;
}

describe('bad input files', () => {
  it('an empty file', async () => {
    expect((await expectCode(FileSource.open(path('empty.wav')), 'E_DECODE')).message).toMatch(/empty/);
    await expectCode(probe(path('empty.wav')), 'E_DECODE');
  });

  it('a truncated MP3 fails with E_DECODE after what decodes, or keeps the part that decodes when asked', async () => {
    const error = await expectCode(decodeAll(path('truncated.mp3')), 'E_DECODE');
    expect(error.message).toMatch(/truncated: its header declares 3\.0\d s/);
    const partial = await decodeAll(path('truncated.mp3'), { onDecodeError: 'ignore' });
    expect(partial.seconds).toBeGreaterThan(1);
    expect(partial.seconds).toBeLessThan(2);
  });

  it('a text file named .mp3 carries ffmpeg’s own reason', async () => {
    const error = await expectCode(FileSource.open(path('text.mp3')), 'E_DECODE');
    expect(error.message).toMatch(/Invalid data|invalid|Failed/i);
  });

  it('a missing file', async () => {
    await expectCode(FileSource.open(path('nope.flac')), 'E_IO');
  });
});

describe('bad options', () => {
  it('an unsupported format or codec option', () => {
    expectThrowCode(() => new FileSink(path('x.xyz')), 'E_UNSUPPORTED');
    expectThrowCode(() => createWriter({ container: 'wma' as never, sampleRate: 44100, channels: 2 }), 'E_UNSUPPORTED');
    expectThrowCode(() => createWriter({ container: 'flac', sampleRate: 44100, channels: 2, sampleFormat: 'f32le' }), 'E_UNSUPPORTED');
    expectThrowCode(() => createWriter({ container: 'm4a', sampleRate: 44100, channels: 2 }), 'E_UNSUPPORTED');
    expectThrowCode(() => createWriter({ container: 'mp3', sampleRate: 44100, channels: 2, sampleFormat: 's24le' }), 'E_INVALID_ARGUMENT');
  });

  it('an invalid bitrate', () => {
    const error = expectThrowCode(
      () => createWriter({ container: 'mp3', sampleRate: 44100, channels: 2, bitrateKbps: 1000 }),
      'E_INVALID_ARGUMENT',
    );
    expect(error.message).toMatch(/between 8 and 320/);
    expectThrowCode(() => createWriter({ container: 'wav', sampleRate: 44100, channels: 2, bitrateKbps: 128 }), 'E_INVALID_ARGUMENT');
  });

  it('no ffmpeg found', async () => {
    const error = await expectCode(
      locateFfmpeg({ env: { PATH: '', FFMPEG_PATH: '/nonexistent/ffmpeg' }, packages: false }),
      'E_FFMPEG_NOT_FOUND',
    );
    expect(error.message).toMatch(/FFMPEG_PATH=\/nonexistent\/ffmpeg is not an executable file; no ffmpeg on PATH/);
  });
});

describe('failures while running', () => {
  it('ffmpeg killed mid-stream is a typed error naming the signal', async () => {
    const writer = createWriter({ container: 'mp3', sampleRate: 44100, channels: 2, encoder: 'ffmpeg' }) as FfmpegStreamWriter;
    const planes = testSignal(44100);
    await writer.write(planes);
    const process = await writer.start();
    globalThis.process.kill(process.pid as number, 'SIGKILL');
    const error = await expectCode(
      (async () => {
        for (let i = 0; i < 200; i++) await writer.write(planes);
        await writer.finalize();
      })(),
      'E_FFMPEG',
    );
    expect(error.message).toMatch(/SIGKILL/);
  });

  it('a target that refuses writes is E_IO', async () => {
    const error = await expectCode(
      new Pipeline({ source: new ToneSource({ seconds: 1 }), sink: new FileSink('/sys/sluice-refused/out.mp3') }).wait(),
      'E_IO',
    );
    expect(error.message).toMatch(/not writable|cannot/);
  });

  it.each(['mp3', 'flac', 'wav'])(
    'aborting a %s FileSink with keepPartial leaves a playable file with what was written',
    async (format) => {
      const controller = new AbortController();
      const file = path(`aborted.${format}`);
      let written = 0;
      const pipeline = new Pipeline({
        source: new ToneSource({ seconds: 600, channels: 2, chunkFrames: 4410 }),
        sink: new FileSink(file, { keepPartial: true }),
        signal: controller.signal,
      });
      pipeline.on('chunk', (chunk) => {
        written += chunk.frames;
        if (written >= 44100 * 2) controller.abort();
      });
      await expectCode(pipeline.wait(), 'E_ABORTED');
      const decoded = await ffmpegDecode(file, 2, 44100);
      const seconds = (decoded[0]?.length ?? 0) / 44100;
      expect(seconds).toBeGreaterThan(1.8);
      expect(seconds).toBeLessThan(3);
      expect((await probe(file)).channels).toBe(2);
    },
  );
});
