import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackSource, CollectSink, Pipeline, encodePcm } from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOW_TO_FIX, MicrophoneSource, SpeakerSink, listDevices, listHostApis } from '../src/index';
import { writeAlsaFileConfig } from '../src/testing/index';
import { deviceHost } from '../src/host/device-host-client';

const alsa = writeAlsaFileConfig(mkdtempSync(join(tmpdir(), 'sluice-alsa-')));
let skipReason: string | undefined;

beforeAll(async () => {
  // The device host is a child process started on first use: it inherits this HOME and reads our .asoundrc.
  process.env.HOME = alsa.home;
  try {
    await listDevices();
  } catch (error) {
    skipReason = (error as Error).message;
    console.warn(`device tests skipped: ${skipReason}`);
  }
});
afterAll(async () => {
  await deviceHost.shutdown();
});

function sweep(frames: number, rate: number): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin((2 * Math.PI * (200 + (2000 * i) / frames) * i) / rate));
}

const int16 = (bytes: Uint8Array) => new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);

describe('audio devices through PortAudio on ALSA file devices', () => {
  it('lists devices and host APIs with defaults, rates, channels and latencies', async (context) => {
    if (skipReason) context.skip();
    const devices = await listDevices();
    const apis = await listHostApis();
    expect(apis.find((api) => api.isDefault)?.type).toBe('ALSA');
    const fallback = devices.find((device) => device.name === 'default');
    expect(fallback).toMatchObject({ hostApi: 'ALSA', defaultInput: true, defaultOutput: true });
    expect(fallback?.maxOutputChannels).toBeGreaterThan(0);
    expect(fallback?.defaultSampleRate).toBeGreaterThan(0);
    expect(fallback?.defaultHighOutputLatency).toBeGreaterThanOrEqual(0);
  });

  it('the speaker plays a known signal: the recorded file holds it in order, nothing missing', async (context) => {
    if (skipReason) context.skip();
    const signal = sweep(48000, 48000);
    const sink = new SpeakerSink({ latencyMs: 100 });
    const pieces = Array.from({ length: 48 }, (_, i) => [signal.slice(i * 1000, (i + 1) * 1000)]);
    await new Pipeline({ source: new CallbackSource(pieces, { sampleRate: 48000, channels: 1 }), sink }).wait();
    const played = int16(readFileSync(alsa.playbackFile));
    const expected = int16(encodePcm([signal], 's16le'));
    // The sweep starts at 0: align on the first non-zero sample of each.
    const from = expected.findIndex((v) => v !== 0);
    const start = played.findIndex((v) => v !== 0);
    const length = expected.length - from;
    expect(start).toBeGreaterThanOrEqual(0);
    // Every sample from the first to the last, in order; PortAudio pads the last buffer with silence.
    expect(Array.from(played.subarray(start, start + length))).toEqual(Array.from(expected.subarray(from)));
    expect(played.subarray(start + length).every((v) => v === 0)).toBe(true);
    expect(sink.stats.frames).toBe(48000);
    expect(sink.latencyMs).toBeGreaterThanOrEqual(100);
  });

  it('the microphone captures a prepared file: chunks carry its samples in order', async (context) => {
    if (skipReason) context.skip();
    const prepared = sweep(24000, 48000);
    writeFileSync(alsa.captureFile, encodePcm([prepared], 's16le'));
    const source = new MicrophoneSource({ sampleRate: 48000, channels: 1, chunkFrames: 512, seconds: 0.4 });
    const sink = new CollectSink();
    await new Pipeline({ source, sink }).wait();
    const captured = sink.planes[0] as Float32Array;
    expect(captured.length).toBe(0.4 * 48000);
    const expected = int16(encodePcm([prepared], 's16le'));
    for (let i = 0; i < captured.length; i += 7) expect(Math.round((captured[i] as number) * 32768)).toBe(expected[i]);
    // ALSA's null device does not pace capture: the file arrives faster than real time, so blocks beyond the
    // 500 ms jitter buffer are dropped and counted as overruns — after the 0.4 s read here, never inside it.
    expect(source.stats.frames).toBeGreaterThanOrEqual(captured.length);
  });

  it('opens and closes devices 50 times, and aborts mid-stream, without crashing or leaking handles', async (context) => {
    if (skipReason) context.skip();
    await listDevices();
    const pid = deviceHost.pid as number;
    const handles = () => readdirSync(`/proc/${pid}/fd`).length;
    const before = handles();
    for (let i = 0; i < 50; i++) {
      const sink = new SpeakerSink({ latencyMs: 50 });
      await sink.open({ sampleRate: 16000, channels: 1 });
      await sink.write({
        format: { sampleRate: 16000, channels: 1 },
        planes: [new Float32Array(160)],
        frames: 160,
        seq: 0,
        startFrame: 0,
        final: true,
      });
      if (i % 2 === 0) await sink.close();
      else await sink.abort();
      const mic = new MicrophoneSource({ sampleRate: 16000, chunkFrames: 64 });
      await mic.start();
      await mic.abort();
    }
    const long = new SpeakerSink({ latencyMs: 100 });
    const pipeline = new Pipeline({
      source: new CallbackSource(
        Array.from({ length: 200 }, () => [new Float32Array(4800).fill(0.1)]),
        { sampleRate: 48000, channels: 1 },
      ),
      sink: long,
    });
    const running = pipeline.wait().catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await pipeline.stop();
    await running;
    expect(deviceHost.pid).toBe(pid);
    expect(handles()).toBeLessThanOrEqual(before + 2);
  });

  it('bad requests are typed errors: unknown device, channels or rate the device cannot take', async (context) => {
    if (skipReason) context.skip();
    await expect(new SpeakerSink({ deviceId: 'no such device' }).open({ sampleRate: 48000, channels: 1 })).rejects.toMatchObject({
      code: 'E_DEVICE_UNAVAILABLE',
      message: expect.stringMatching(/output devices: .*default/),
    });
    await expect(new SpeakerSink({ deviceId: 999 }).open({ sampleRate: 48000, channels: 1 })).rejects.toMatchObject({
      code: 'E_DEVICE_UNAVAILABLE',
    });
    await expect(new SpeakerSink().open({ sampleRate: 48000, channels: 500 })).rejects.toMatchObject({ code: 'E_FORMAT' });
    await expect(new MicrophoneSource({ sampleRate: 500 }).start()).rejects.toMatchObject({ code: 'E_FORMAT' });
    expect(() => new SpeakerSink({ sampleFormat: 'u8' as never })).toThrow(/device streams use/);
  });
});

describe('without naudiodon', () => {
  it('a binding that cannot load gives E_DEVICE_UNAVAILABLE saying why and how to fix it', async () => {
    await deviceHost.shutdown();
    process.env.SLUICE_NAUDIODON_BINDING = '/nonexistent/naudiodon.node';
    try {
      const error = await listDevices().catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'E_DEVICE_UNAVAILABLE', message: expect.stringContaining('naudiodon could not be loaded') });
      expect((error as Error).message).toContain(HOW_TO_FIX);
    } finally {
      delete process.env.SLUICE_NAUDIODON_BINDING;
      await deviceHost.shutdown();
    }
  });
});
