import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackSource, Pipeline, decodePcm, encodePcm } from '@sluice/core';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSink, CONTAINERS, type Container, WavParser, createWriter, probe } from '../src/index';
import { randomInt, seededRandom } from '@sluice/config/test-helpers';
import { alignedSnr, ffmpegDecode, largestStep, testSignal } from './support/audio';

const RATE = 44100;
const FRAMES = RATE * 3;
const signal = testSignal(FRAMES, RATE);
const directory = mkdtempSync(join(tmpdir(), 'sluice-writers-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Encodes the signal through createWriter in the given pieces; returns all bytes. */
async function encodeInPieces(format: Container, sizes: number[]): Promise<Uint8Array> {
  const writer = createWriter({ container: format, sampleRate: RATE, channels: 2 });
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    parts.push(await writer.write(signal.map((p) => p.subarray(offset, offset + size))));
    offset += size;
  }
  parts.push(await writer.finalize());
  return Buffer.concat(parts);
}

function randomSizes(count: number, total: number, seed: number): number[] {
  const random = seededRandom(seed);
  const weights = Array.from({ length: count }, () => random() + 0.01);
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.floor((w / sum) * total));
  sizes[sizes.length - 1] = (sizes[sizes.length - 1] as number) + total - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

const streamFormats = CONTAINERS.filter((f) => f !== 'm4a');
const lossless = new Set<Container>(['wav', 'pcm', 'flac']);

describe.each(streamFormats)('%s: 1,000 random chunks against one chunk', (format) => {
  it('decodes to the same audio, with no click at chunk boundaries', async () => {
    const sizes = randomSizes(1000, FRAMES, format.length);
    const [chunked, whole] = await Promise.all([encodeInPieces(format, sizes), encodeInPieces(format, [FRAMES])]);
    const decode = (bytes: Uint8Array) => (format === 'pcm' ? decodePcm(bytes, 's16le', 2) : ffmpegDecode(bytes, 2, RATE));
    const [a, b] = await Promise.all([decode(chunked), decode(whole)]);
    if (lossless.has(format)) {
      // Bit-exact, and equal to the source quantised to 16 bits.
      expect(a).toEqual(b);
      expect(a[0]).toEqual(decodePcm(encodePcm(signal, 's16le'), 's16le', 2)[0]);
      return;
    }
    const snrChunked = alignedSnr(a, signal);
    const snrWhole = alignedSnr(b, signal);
    expect(Math.abs(snrChunked.snr - snrWhole.snr)).toBeLessThan(0.1);
    expect(snrChunked.snr).toBeGreaterThan(10);
    // No click: the decoded stream never jumps more than the source does (plus codec noise).
    const sourceStep = largestStep(signal[0] as Float32Array);
    expect(largestStep(a[0] as Float32Array, 4096, (a[0]?.length ?? 0) - 4096)).toBeLessThan(sourceStep * 2 + 0.05);
  });
});

describe('files: headers and durations', () => {
  const codecFrame: Record<Container, number> = { wav: 0, pcm: 0, flac: 0, ogg: 2048, opus: 960, mp3: 1152, aac: 1024, m4a: 1024 };
  const fileFormats = CONTAINERS.filter((f) => f !== 'pcm');

  it.each(fileFormats)('%s: duration within one codec frame by probe and by ffmpeg', async (format) => {
    const path = join(directory, `duration.${format}`);
    const source = new CallbackSource(
      randomSizes(50, FRAMES, 3).map((size, i, all) => {
        const start = all.slice(0, i).reduce((a, b) => a + b, 0);
        return signal.map((p) => p.subarray(start, start + size));
      }),
      { sampleRate: RATE, channels: 2 },
    );
    await new Pipeline({ source, sink: new FileSink(path, { tags: { title: 'Sluice test', artist: 'Sluice' } }) }).wait();
    const info = await probe(path);
    const truth = FRAMES / RATE;
    // ADTS has nowhere to record the encoder's 1024-sample priming, so every decoder returns it: one frame more.
    const frames = format === 'aac' ? 2 * codecFrame.aac : codecFrame[format];
    const tolerance = frames / (format === 'opus' ? 48000 : RATE) + 1e-3;
    expect(Math.abs(info.durationSeconds - truth), `probe duration ${info.durationSeconds}`).toBeLessThanOrEqual(tolerance);
    const decoded = await ffmpegDecode(path, 2, RATE);
    expect(Math.abs((decoded[0]?.length ?? 0) / RATE - truth), `decoded ${decoded[0]?.length} frames`).toBeLessThanOrEqual(tolerance);
    if (format !== 'wav' && format !== 'aac') expect(info.tags.title).toBe('Sluice test');
  });

  it('WAV files get exact RIFF and data sizes; FLAC gets total samples; MP3 gets a Xing/Info frame', async () => {
    for (const format of ['wav', 'flac', 'mp3'] as const) {
      const path = join(directory, `header.${format}`);
      await new Pipeline({ source: new CallbackSource([signal], { sampleRate: RATE, channels: 2 }), sink: new FileSink(path) }).wait();
      const bytes = readFileSync(path);
      if (format === 'wav') {
        expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
        const parser = new WavParser();
        parser.push(bytes);
        expect(parser.header?.frames).toBe(FRAMES);
      } else if (format === 'flac') {
        // STREAMINFO: 36 bits of total samples at bytes 21..25 of the first metadata block.
        const streaminfo = bytes.subarray(8);
        const total = ((streaminfo[13] as number) & 0x0f) * 2 ** 32 + streaminfo.readUInt32BE(14);
        expect(total).toBe(FRAMES);
        expect(streaminfo.subarray(18, 34).some((b) => b !== 0)).toBe(true); // MD5 present
      } else {
        const head = bytes.subarray(0, 16384).toString('latin1');
        expect(head.includes('Xing') || head.includes('Info')).toBe(true);
      }
    }
  });

  it('24-bit and float WAV use WAVE_FORMAT_EXTENSIBLE and round-trip exactly', async () => {
    for (const sampleFormat of ['s24le', 'f32le'] as const) {
      const path = join(directory, `ext-${sampleFormat}.wav`);
      await new Pipeline({
        source: new CallbackSource([signal], { sampleRate: RATE, channels: 2 }),
        sink: new FileSink(path, { sampleFormat }),
      }).wait();
      const bytes = readFileSync(path);
      const parser = new WavParser({ chunkFrames: FRAMES });
      const chunks = [...parser.push(bytes), parser.end()];
      expect(bytes.readUInt16LE(12 + 36 + 8)).toBe(0xfffe);
      const planes = chunks.find((c) => c.frames > 0)?.planes ?? [];
      const expected = decodePcm(encodePcm(signal, sampleFormat), sampleFormat, 2);
      expect(planes[1]).toEqual(expected[1]);
    }
  });
});

describe('a WAV stream cut off anywhere still decodes up to that point', () => {
  it('at 200 random byte positions, by our parser and by ffmpeg', async () => {
    const bytes = await encodeInPieces('wav', [RATE]);
    const whole = decodePcm(
      encodePcm(
        signal.map((p) => p.subarray(0, RATE)),
        's16le',
      ),
      's16le',
      2,
    );
    const random = seededRandom(99);
    for (let k = 0; k < 200; k++) {
      const cut = randomInt(random, 60, bytes.length);
      const parser = new WavParser({ chunkFrames: 512 });
      const chunks = [...parser.push(bytes.subarray(0, cut)), parser.end()];
      const frames = chunks.reduce((n, c) => n + c.frames, 0);
      expect(frames).toBe(Math.max(0, Math.floor((cut - 44) / 4)));
      const left = new Float32Array(frames);
      let at = 0;
      for (const chunk of chunks) {
        left.set(chunk.planes[0] as Float32Array, at);
        at += chunk.frames;
      }
      // Compared as bytes: toEqual walks the 44,100 floats of every cut one by one (most of this test's time).
      const expected = (whole[0] as Float32Array).subarray(0, frames);
      expect(Buffer.compare(Buffer.from(left.buffer), Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(0);
      if (k < 5 && frames > 0) expect((await ffmpegDecode(bytes.subarray(0, cut), 2))[0]?.length).toBe(frames);
    }
  });
});
