import { describe, expect, it } from 'vitest';
import { AUTO_ENCODER, type EncoderChoice, FfmpegStreamWriter, WasmStreamWriter, createWriter } from '../src/index';
import { alignedSnr, ffmpegDecode, testSignal } from './support/audio';

const RATE = 24000;
const signal = testSignal(RATE * 3, RATE);
const mono = [signal[0] as Float32Array];

async function encode(
  format: 'mp3' | 'ogg',
  encoder: EncoderChoice,
  planes: Float32Array[],
  options: { bitrateKbps?: number; quality?: number } = {},
): Promise<Uint8Array> {
  const writer = createWriter({ container: format, sampleRate: RATE, channels: planes.length, encoder, ...options });
  const parts: Uint8Array[] = [];
  for (let at = 0; at < (planes[0]?.length ?? 0); at += 1000)
    parts.push(await writer.write(planes.map((plane) => plane.subarray(at, at + 1000))));
  parts.push(await writer.finalize());
  return Buffer.concat(parts);
}

describe.each(['mp3', 'ogg'] as const)('%s in process (WebAssembly) against ffmpeg', (format) => {
  // ogg by quality only: the in-process libvorbis has no bitrate mode (an ogg bitrate goes to ffmpeg).
  const settings = format === 'mp3' ? [{}, { bitrateKbps: 64 }, { quality: 2 }] : [{ quality: 5 }, { quality: 2 }];

  it.each(settings)('meets the quality bar: decoded SNR within 1 dB of ffmpeg’s at the same settings (%o)', async (options) => {
    const [wasm, ffmpeg] = await Promise.all([encode(format, 'wasm', signal, options), encode(format, 'ffmpeg', signal, options)]);
    const [a, b] = await Promise.all([ffmpegDecode(wasm, 2, RATE), ffmpegDecode(ffmpeg, 2, RATE)]);
    const snrWasm = alignedSnr(a, signal).snr;
    const snrFfmpeg = alignedSnr(b, signal).snr;
    expect(snrWasm).toBeGreaterThan(snrFfmpeg - 1);
    expect(snrWasm).toBeGreaterThan(10);
    // Same length within one codec frame plus the encoder's delay.
    expect(Math.abs((a[0]?.length ?? 0) - signal[0]!.length)).toBeLessThan(2 * 2048);
  });

  it('is what createWriter picks by default, and is fed by chunks of any size', async () => {
    expect(AUTO_ENCODER[format]).toBe('wasm');
    expect(createWriter({ container: format, sampleRate: RATE, channels: 1 })).toBeInstanceOf(WasmStreamWriter);
    const decoded = await ffmpegDecode(await encode(format, 'auto', mono), 1, RATE);
    expect(alignedSnr(decoded, mono).snr).toBeGreaterThan(10);
  });

  it('a stream cut off half-way still plays up to the cut (less the last partial page or frame)', async () => {
    const long = [testSignal(RATE * 10, RATE)[0] as Float32Array];
    const bytes = await encode(format, 'wasm', long);
    const decoded = await ffmpegDecode(bytes.subarray(0, bytes.length >> 1), 1, RATE);
    // ogg: the Vorbis setup header (≈ 4 KB) comes first and a torn page (≈ 0.7 s here) is dropped.
    expect(decoded[0]?.length ?? 0).toBeGreaterThan((format === 'ogg' ? 0.3 : 0.45) * long[0]!.length);
  });

  it('twenty interleaved streams each keep their own audio (no shared encoder state)', async () => {
    const inputs = Array.from({ length: 20 }, (_, i) => [
      Float32Array.from(mono[0]!.subarray(0, RATE), (v, n) => v * Math.cos((2 * Math.PI * (i + 1) * n) / RATE)),
    ]);
    const writers = inputs.map(() => createWriter({ container: format, sampleRate: RATE, channels: 1, encoder: 'wasm' }));
    const parts: Uint8Array[][] = inputs.map(() => []);
    for (let at = 0; at < RATE; at += 1200) {
      await Promise.all(writers.map(async (writer, i) => parts[i]!.push(await writer.write([inputs[i]![0]!.subarray(at, at + 1200)]))));
    }
    await Promise.all(writers.map(async (writer, i) => parts[i]!.push(await writer.finalize())));
    for (let i = 0; i < inputs.length; i += 6) {
      const decoded = await ffmpegDecode(Buffer.concat(parts[i]!), 1, RATE);
      expect(alignedSnr(decoded, inputs[i]!).snr).toBeGreaterThan(5);
    }
  });
});

describe('sharing the event loop', () => {
  it('twenty streams encoding flat out still let the event loop turn (they share a budget per turn)', async () => {
    const audio = Float32Array.from({ length: RATE * 4 }, (_, i) => 0.3 * Math.sin(i / 7));
    const writers = Array.from({ length: 20 }, () => createWriter({ container: 'mp3', sampleRate: RATE, channels: 1, encoder: 'wasm' }));
    // Started (instantiated) first: from here on nothing they do waits for I/O, so only the budget lets the loop turn.
    await Promise.all(writers.map((writer) => writer.write([audio.subarray(0, 2048)])));
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    await Promise.all(
      writers.map(async (writer) => {
        for (let at = 2048; at < audio.length; at += 2048) await writer.write([audio.subarray(at, at + 2048)]);
        await writer.finalize();
      }),
    );
    counting = false;
    // 80 s of audio is about 100 ms of encoding: in 2 ms turns, dozens of them (in one stretch: none).
    expect(turns).toBeGreaterThan(20);
  });
});

describe('choosing the encoder', () => {
  it('falls back to ffmpeg for what the in-process encoders cannot write', () => {
    expect(createWriter({ container: 'mp3', sampleRate: 37000, channels: 1 })).toBeInstanceOf(FfmpegStreamWriter);
    expect(createWriter({ container: 'mp3', sampleRate: RATE, channels: 1, bitrateKbps: 100 })).toBeInstanceOf(FfmpegStreamWriter);
    expect(createWriter({ container: 'mp3', sampleRate: RATE, channels: 6 })).toBeInstanceOf(FfmpegStreamWriter);
    expect(createWriter({ container: 'ogg', sampleRate: RATE, channels: 2, bitrateKbps: 128 })).toBeInstanceOf(FfmpegStreamWriter);
    expect(createWriter({ container: 'opus', sampleRate: 48000, channels: 2 })).toBeInstanceOf(FfmpegStreamWriter);
    expect(createWriter({ container: 'mp3', sampleRate: RATE, channels: 1, encoder: 'ffmpeg' })).toBeInstanceOf(FfmpegStreamWriter);
  });

  it('refuses, with the reason, an in-process encoder asked for by name that cannot write the stream; and unknown choices', () => {
    expect(() => createWriter({ container: 'mp3', sampleRate: 37000, channels: 1, encoder: 'wasm' })).toThrow(
      expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringContaining('37000 Hz') }),
    );
    expect(() => createWriter({ container: 'opus', sampleRate: 48000, channels: 1, encoder: 'wasm' })).toThrow(
      expect.objectContaining({ code: 'E_UNSUPPORTED' }),
    );
    expect(() => createWriter({ container: 'mp3', sampleRate: RATE, channels: 1, encoder: 'toString' as never })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
  });

  it('bad writes: wrong channel count, write after finalize, an aborted signal', async () => {
    const writer = createWriter({ container: 'mp3', sampleRate: RATE, channels: 1, encoder: 'wasm' });
    await expect(writer.write(signal)).rejects.toMatchObject({ code: 'E_FORMAT' });
    await writer.write(mono);
    await writer.finalize();
    await expect(writer.write(mono)).rejects.toMatchObject({ code: 'E_CLOSED' });
    const controller = new AbortController();
    const aborted = createWriter({ container: 'ogg', sampleRate: RATE, channels: 1, encoder: 'wasm', signal: controller.signal });
    controller.abort();
    await expect(aborted.write(mono)).rejects.toThrow();
  });
});
