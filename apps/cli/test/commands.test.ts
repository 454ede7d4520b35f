import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackSource, Pipeline } from '@sluice/core';
import { PollyServer } from '@sluice/test-servers/polly';
import { FileSink } from '@sluice/writers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../src/io';
import { main } from '../src/main';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), interactive: false };
}

const directory = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
const path = (name: string) => join(directory, name);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function tone(frequency: number, frames = 44100): Float32Array[] {
  const plane = Float32Array.from(
    { length: frames },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * frequency * i) / 44100) + 0.05 * Math.sin(i * 0.37),
  );
  return [plane, plane.map((v) => v * 0.8)];
}

async function write(file: string, planes: Float32Array[]) {
  await new Pipeline({ source: new CallbackSource([planes], { sampleRate: 44100, channels: 2 }), sink: new FileSink(file) }).wait();
}

beforeAll(async () => {
  mkdirSync(path('est'));
  mkdirSync(path('ref'));
  await Promise.all([
    write(path('ref.wav'), tone(440)),
    write(path('ref/vocals.wav'), tone(440)),
    write(path('ref/bass.wav'), tone(110)),
    write(
      path('est/vocals.flac'),
      tone(440).map((p) => p.map((v) => v * 0.9)),
    ),
    write(
      path('est/bass.flac'),
      tone(110).map((p, c) => p.map((v, i) => v + 0.01 * Math.sin(i + c))),
    ),
  ]);
});

describe('sluice transcode, probe, info', () => {
  it('transcodes a file and probes the result', async () => {
    const io = capture();
    expect(await main(['transcode', path('ref.wav'), path('out.mp3'), '--bitrate', '128k', '--sample-rate', '48000'], io)).toBe(0);
    expect(io.stderr.join('\n')).toMatch(/× real time/);
    const probe = capture();
    expect(await main(['probe', path('out.mp3'), '--json'], probe)).toBe(0);
    const info = JSON.parse(probe.stdout[0] as string);
    expect(info).toMatchObject({ sampleRate: 48000, channels: 2 });
    expect(Math.abs(info.durationSeconds - 1)).toBeLessThan(0.03);
  });

  it('reports usage mistakes and decode errors with exit codes', async () => {
    const io = capture();
    expect(await main(['transcode', path('ref.wav')], io)).toBe(2);
    expect(await main(['transcode', path('ref.wav'), path('x.mp3'), '--bitrate', 'fast'], io)).toBe(2);
    expect(await main(['probe', path('missing.wav')], io)).toBe(1);
    expect(io.stderr.at(-1)).toMatch(/\[E_IO\]/);
  });

  it('info names the ffmpeg and why', async () => {
    const io = capture();
    expect(await main(['info', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout[0] as string);
    expect(report.ffmpeg.reason.length).toBeGreaterThan(5);
    expect(report.ffmpeg.encoders).toContain('libmp3lame');
  });
});

describe('sluice metrics', () => {
  it('scores two files, with the documented JSON keys', async () => {
    const io = capture();
    expect(await main(['metrics', path('out.mp3'), path('ref.wav'), '--json', '--bss'], io)).toBe(0);
    const result = JSON.parse(io.stdout[0] as string);
    expect(Object.keys(result).sort()).toEqual(['bss', 'correlation', 'sdr', 'siSdr', 'snr']);
    expect(result.correlation).toBeGreaterThan(0.9);
  });

  it('scores a directory of stems matched by name, as a table', async () => {
    const io = capture();
    expect(await main(['metrics', '--stems', path('est'), path('ref')], io)).toBe(0);
    const table = io.stdout.join('\n');
    expect(table).toMatch(/^stem/m);
    expect(table).toMatch(/^vocals\s+/m);
    expect(table).toMatch(/^bass\s+/m);
    expect(table).toMatch(/^overall\s+/m);
  });
});

describe('sluice separate', () => {
  it('streams a file into chosen stems with the DSP separator and prints what it wrote', async () => {
    const io = capture();
    const out = path('separated');
    expect(
      await main(['separate', path('ref.wav'), '--out', out, '--dsp', '--stems', 'vocals,drums', '--format', 'flac', '--json'], io),
    ).toBe(0);
    const result = JSON.parse(io.stdout[0] as string);
    expect(Object.keys(result.stems).sort()).toEqual(['drums', 'vocals']);
    expect(result.stems.vocals).toBe(join(out, 'vocals.flac'));
    expect(result.latencySeconds).toBeGreaterThan(0);
    const probed = capture();
    expect(await main(['probe', result.stems.vocals, '--json'], probed)).toBe(0);
    expect(JSON.parse(probed.stdout[0] as string).durationSeconds).toBeCloseTo(1, 2);
    expect(io.stderr.join('\n')).toMatch(/× real time/);
  });

  it('names the problem: unknown stem, missing model, bad contract', async () => {
    const io = capture();
    expect(await main(['separate', path('ref.wav'), '--out', path('x'), '--stems', 'kazoo'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/no stem kazoo/);
    expect(await main(['separate', path('ref.wav'), '--out', path('x'), '--model', path('none.onnx')], io)).toBe(1);
    expect(io.stderr.at(-1)).toMatch(/\[E_MODEL\]/);
    expect(await main(['separate', path('ref.wav'), '--out', path('x'), '--model', path('none.onnx'), '--contract', 'mdx'], io)).toBe(2);
    expect(await main(['separate', path('ref.wav')], io)).toBe(2);
  });
});

describe('sluice tts and voices', () => {
  it('speaks offline with eSpeak into a file, with word timings as JSON', async () => {
    const io = capture();
    const out = path('hello.wav');
    const words = path('hello-words.json');
    expect(await main(['tts', 'Hello from the command line. A second sentence follows.', '--out', out, '--words', words], io)).toBe(0);
    expect(io.stdout).toEqual([out]);
    expect(io.stderr.join('\n')).toMatch(/s of speech from 55 characters/);
    const probed = capture();
    expect(await main(['probe', out, '--json'], probed)).toBe(0);
    const info = JSON.parse(probed.stdout[0] as string);
    expect(info.sampleRate).toBe(22050);
    expect(info.durationSeconds).toBeGreaterThan(2);
    const timings = JSON.parse(readFileSync(words, 'utf8')) as { text: string; startSeconds: number; endSeconds: number }[];
    expect(timings.map((w) => w.text)).toEqual(['Hello', 'from', 'the', 'command', 'line', 'A', 'second', 'sentence', 'follows']);
    expect(timings.at(-1)?.endSeconds).toBeLessThanOrEqual(info.durationSeconds + 0.01);
  });

  it('speaks through Polly (a local Polly-compatible server) when asked, into MP3 at a chosen rate', async () => {
    const server = await new PollyServer({ msPerChar: 30 }).start();
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' });
    try {
      const io = capture();
      const out = path('polly.mp3');
      expect(
        await main(
          [
            'tts',
            'Polly speaks here.',
            '--engine',
            'polly',
            '--endpoint',
            server.http1Url,
            '--voice',
            'Matthew',
            '--out',
            out,
            '--sample-rate',
            '24000',
          ],
          io,
        ),
      ).toBe(0);
      expect(server.requests.filter((r) => r.format === 'pcm').map((r) => [r.text, r.voice])).toEqual([['Polly speaks here.', 'Matthew']]);
      const probed = capture();
      expect(await main(['probe', out, '--json'], probed)).toBe(0);
      expect(JSON.parse(probed.stdout[0] as string).durationSeconds).toBeCloseTo(server.seconds('Polly speaks here.'), 1);
      const voices = capture();
      expect(await main(['voices', '--engine', 'polly', '--endpoint', server.http1Url, '--language', 'de', '--json'], voices)).toBe(0);
      expect(JSON.parse(voices.stdout[0] as string).map((v: { id: string }) => v.id)).toEqual(['Hans']);
    } finally {
      process.env = saved;
      await server.stop();
    }
  });

  it('lists eSpeak voices filtered by language, and names bad options', async () => {
    const io = capture();
    expect(await main(['voices', '--language', 'en-us'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/gmw\/en-US\s+en-us\s+English \(America\)/);
    const bad = capture();
    expect(await main(['tts', 'x', '--engine', 'festival', '--out', path('x.wav')], bad)).toBe(2);
    expect(await main(['tts', 'x', '--rate', 'fast', '--out', path('x.wav')], bad)).toBe(2);
    expect(await main(['tts', 'Hello.', '--voice', 'nobody', '--out', path('x.wav')], bad)).toBe(1);
    expect(bad.stderr.at(-1)).toMatch(/\[E_TTS_VOICE\]/);
  });
});
