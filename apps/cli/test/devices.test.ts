import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcm } from '@sluice/core';
import { closeDevices } from '@sluice/io-devices';
import { writeAlsaFileConfig } from '@sluice/io-devices/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../src/io';
import { main } from '../src/main';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), interactive: false };
}

const directory = mkdtempSync(join(tmpdir(), 'sluice-cli-devices-'));
const alsa = writeAlsaFileConfig(join(directory, 'alsa'));
let skipReason: string | undefined;

beforeAll(async () => {
  process.env.HOME = alsa.home;
  const io = capture();
  if ((await main(['devices', '--json'], io)) !== 0) {
    skipReason = io.stderr.join(' ');
    console.warn(`CLI device tests skipped: ${skipReason}`);
  }
});
afterAll(async () => {
  await closeDevices();
});

describe('sluice devices, play, record, tts --play (ALSA file devices)', () => {
  it('lists the devices', async (context) => {
    if (skipReason) context.skip();
    const io = capture();
    expect(await main(['devices'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/default\s+ALSA .*\(default in, default out\)/);
  });

  it('speaks through the speaker while writing the file', async (context) => {
    if (skipReason) context.skip();
    const io = capture();
    const out = join(directory, 'spoken.wav');
    expect(await main(['tts', 'Played and written at once.', '--play', '--out', out], io)).toBe(0);
    // What the speaker played: 22050 Hz s16 mono, as long as the file (plus PortAudio's padding of the last buffer).
    const played = statSync(alsa.playbackFile).size / 2;
    const header = readFileSync(out).indexOf('data') + 8;
    const written = (statSync(out).size - header) / 2;
    expect(played).toBeGreaterThanOrEqual(written);
    expect(played - written).toBeLessThan(4096);
  });

  it('plays a file and records one', async (context) => {
    if (skipReason) context.skip();
    const io = capture();
    const wav = join(directory, 'spoken.wav');
    expect(await main(['play', wav], io)).toBe(0);
    expect(io.stderr.join('\n')).toMatch(/played \d+\.\d+ s/);
    const tone = Float32Array.from({ length: 48000 }, (_, i) => 0.25 * Math.sin(i / 5));
    writeFileSync(alsa.captureFile, encodePcm([tone], 's16le'));
    const out = join(directory, 'recorded.wav');
    expect(await main(['record', out, '--seconds', '0.5', '--sample-rate', '48000'], io)).toBe(0);
    const bytes = readFileSync(out);
    const data = bytes.indexOf('data') + 8;
    expect((bytes.length - data) / 2).toBe(24000);
    expect(bytes.readInt16LE(data + 2 * 100)).toBe(Math.round(0.25 * Math.sin(100 / 5) * 32768));
  });
});
