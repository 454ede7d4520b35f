import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { CallbackSource, CollectSink, Pipeline, ToneSource, createAudioChunk, decodePcm, encodePcm } from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ByteStreamSink,
  ByteStreamSource,
  BytesCallbackSink,
  FileSink,
  FileSource,
  MultiFileSink,
  probe,
  resolveFfmpeg,
  transcode,
} from '../src/index';
import { audioWithStreamInput, audioWithStreamInputAndOut, audioWithStreamOut } from '../src/compat/audiox';
import { ffmpegDecode, testSignal } from './support/audio';

const RATE = 44100;
const signal = testSignal(RATE * 2, RATE);
const directory = mkdtempSync(join(tmpdir(), 'sluice-io-'));
const path = (name: string) => join(directory, name);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function writeFile(name: string, options: ConstructorParameters<typeof FileSink>[1] = {}) {
  await new Pipeline({
    source: new CallbackSource([signal], { sampleRate: RATE, channels: 2 }),
    sink: new FileSink(path(name), options),
  }).wait();
  return path(name);
}

beforeAll(async () => {
  await Promise.all([
    writeFile('song.wav'),
    writeFile('song.mp3'),
    writeFile('song.flac', { tags: { title: 'Flac title', artist: 'Sluice' } }),
  ]);
});

describe('FileSource', () => {
  it('reads WAV in TypeScript, exactly', async () => {
    const source = await FileSource.open(path('song.wav'), { chunkFrames: 1000 });
    expect(source.format).toEqual({ sampleRate: RATE, channels: 2 });
    const sink = new CollectSink();
    const stats = await new Pipeline({ source, sink }).wait();
    expect(sink.planes).toEqual(decodePcm(encodePcm(signal, 's16le'), 's16le', 2));
    expect(stats.inputChunks).toBe(Math.ceil((RATE * 2) / 1000));
  });

  it('decodes FLAC bit-exactly and MP3 to the right length, resampling and remixing on request', async () => {
    const flac = new CollectSink();
    await new Pipeline({ source: await FileSource.open(path('song.flac')), sink: flac }).wait();
    expect(flac.planes).toEqual(decodePcm(encodePcm(signal, 's16le'), 's16le', 2));
    const mp3 = new CollectSink();
    await new Pipeline({ source: await FileSource.open(path('song.mp3'), { sampleRate: 16000, channels: 1 }), sink: mp3 }).wait();
    expect(mp3.format).toEqual({ sampleRate: 16000, channels: 1 });
    expect(Math.abs(mp3.frames - 32000)).toBeLessThan(1152);
  });
});

describe('sinks', () => {
  it('MultiFileSink writes one file per stem', async () => {
    const format = { sampleRate: 8000, channels: 1 };
    const planes = [new Float32Array(8000).fill(0.25)];
    const chunk = createAudioChunk({
      format,
      planes,
      stems: { vocals: [new Float32Array(8000).fill(0.5)], drums: [new Float32Array(8000).fill(-0.5)] },
      final: true,
    });
    const sink = new MultiFileSink(path('stems'), { container: 'flac' });
    await new Pipeline({ source: new CallbackSource([chunk], format), sink }).wait();
    expect(Object.keys(sink.files).sort()).toEqual(['drums', 'vocals']);
    const vocals = await ffmpegDecode(sink.files.vocals as string, 1);
    expect(vocals[0]?.[100]).toBe(0.5);
    expect(() => new MultiFileSink(path('x'), { stems: ['../escape'] })).toThrow(/plain word/);
  });

  it('ByteStreamSink streams into a Node Writable and a WHATWG WritableStream as bytes are produced', async () => {
    const pieces: Buffer[] = [];
    const writable = new Writable({
      write(data: Buffer, _e, callback) {
        pieces.push(data);
        callback();
      },
    });
    await new Pipeline({
      source: new ToneSource({ seconds: 20, chunkFrames: 4410, channels: 2 }),
      sink: new ByteStreamSink(writable, { container: 'mp3' }),
    }).wait();
    // ~320 kB of MP3 cannot arrive in fewer pieces than a 64 kB pipe allows, however busy the machine.
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    const decoded = await ffmpegDecode(Buffer.concat(pieces), 2, 44100);
    expect(Math.abs((decoded[0]?.length ?? 0) - 20 * 44100)).toBeLessThan(3 * 1152);
    const received: Uint8Array[] = [];
    await new Pipeline({
      source: new ToneSource({ seconds: 1 }),
      sink: new ByteStreamSink(new WritableStream({ write: (c) => void received.push(c) }), { container: 'wav' }),
    }).wait();
    expect(Buffer.concat(received).subarray(0, 4).toString()).toBe('RIFF');
  });

  it('BytesCallbackSink hands over each piece, the last one final', async () => {
    const calls: [number, boolean][] = [];
    await new Pipeline({
      source: new ToneSource({ seconds: 2, chunkFrames: 2048 }),
      sink: new BytesCallbackSink((bytes, final) => void calls.push([bytes.length, final]), { container: 'ogg' }),
    }).wait();
    expect(calls.at(-1)?.[1]).toBe(true);
    expect(calls.filter(([, f]) => f)).toHaveLength(1);
  });
});

describe('decoding bytes from a stream and the audiox-style helpers', () => {
  it('ByteStreamSource learns the format from the bytes', async () => {
    const source = await ByteStreamSource.open(createReadStream(path('song.flac')));
    expect(source.format).toEqual({ sampleRate: RATE, channels: 2 });
    const sink = new CollectSink();
    await new Pipeline({ source, sink }).wait();
    expect(sink.frames).toBe(RATE * 2);
  });

  it('audioWithStreamInput writes a file from a readable', async () => {
    const result = await audioWithStreamInput(createReadStream(path('song.wav')), path('from-stream.ogg'), {
      bitrate: '128k',
      metadata: { title: 'Streamed' },
    });
    expect(result.container).toBe('ogg');
    const info = await probe(path('from-stream.ogg'));
    expect(info.codec.toLowerCase()).toContain('vorbis');
    expect(info.tags.title).toBe('Streamed');
  });

  it('audioWithStreamOut streams output to callbacks and keeps it only when asked', async () => {
    let flushed = 0;
    let endData: Uint8Array | undefined;
    let ended = false;
    const result = await audioWithStreamOut(
      path('song.wav'),
      {
        onProcessDataFlushed: (data) => {
          flushed += data.length;
        },
        onProcessDataEnd: (data) => {
          ended = true;
          endData = data;
        },
      },
      { codec: 'mp3', bitrate: 96 },
    );
    expect(ended).toBe(true);
    expect(endData).toBeUndefined();
    expect(flushed).toBe(result.bytes);
    let collected: Uint8Array | undefined;
    await audioWithStreamInputAndOut(
      Readable.from([readFileSync(path('song.mp3'))]),
      { collect: true, onProcessDataEnd: (data) => void (collected = data) },
      { codec: 'pcm_s16le', sampleRate: 8000, channels: 1 },
    );
    expect(Math.abs((collected?.length ?? 0) / 2 - 16000)).toBeLessThan(1152);
  });

  it('transcode streams bytes in to a callback out, in the container named; a callback without one is refused', async () => {
    const pieces: Uint8Array[] = [];
    let finals = 0;
    const result = await transcode(
      createReadStream(path('song.flac')),
      (bytes, final) => {
        pieces.push(bytes);
        if (final) finals++;
      },
      { container: 'wav', sampleFormat: 'f32le' },
    );
    expect(result.container).toBe('wav');
    expect(finals).toBe(1);
    expect(result.bytes).toBe(pieces.reduce((sum, piece) => sum + piece.length, 0));
    // 2 s of stereo f32 after a 44-byte-or-more header: FLAC decodes to the samples it stored.
    expect(result.bytes - RATE * 2 * 2 * 4).toBeGreaterThanOrEqual(44);
    await expect(transcode(path('song.flac'), () => {})).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: /container/ });
  });

  it('transcode streams file to file', async () => {
    await transcode(path('song.flac'), path('copy.opus'), { bitrateKbps: 64 });
    const info = await probe(path('copy.opus'));
    expect(info.codec.toLowerCase()).toContain('opus');
    expect(Math.abs(info.durationSeconds - 2)).toBeLessThan(0.03);
  });
});

describe('probe and ffmpeg resolution', () => {
  it('probe reads container, codec, rate, channels, duration, bitrate and tags', async () => {
    const info = await probe(path('song.flac'));
    expect(info).toMatchObject({ sampleRate: RATE, channels: 2, via: 'music-metadata', lossless: true });
    expect(info.durationSeconds).toBeCloseTo(2, 3);
    expect(info.tags).toMatchObject({ title: 'Flac title', artist: 'Sluice' });
    const mp3 = await probe(path('song.mp3'));
    expect(Math.abs(mp3.durationSeconds - 2)).toBeLessThan(1152 / RATE);
    expect(mp3.bitrateKbps).toBeGreaterThan(100);
  });

  it('says which ffmpeg it uses and why', async () => {
    const binary = await resolveFfmpeg();
    expect(binary.reason.length).toBeGreaterThan(10);
    expect(binary.encoders.has('libmp3lame')).toBe(true);
    expect(existsSync(binary.path)).toBe(true);
  });
});
