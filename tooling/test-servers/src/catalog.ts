import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encodePcm } from '@sluice/core';
import { wavHeader } from '@sluice/writers';

/** WAV bytes: `seconds` of a stereo 44.1 kHz 16-bit chord whose notes depend on `seed`, with clicks on the beat. */
export function toneWav(seconds: number, seed: number, sampleRate = 44100): Uint8Array {
  const frames = Math.round(seconds * sampleRate);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const root = 110 * 2 ** ((seed % 12) / 12);
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    const beat = i % (sampleRate / 2);
    const click = beat < 300 ? 0.3 * Math.exp(-beat / 60) : 0;
    left[i] = 0.25 * Math.sin(2 * Math.PI * root * t) + 0.1 * Math.sin(2 * Math.PI * root * 2.5 * t) + click;
    right[i] = 0.25 * Math.sin(2 * Math.PI * root * t) + 0.1 * Math.sin(2 * Math.PI * root * 3 * t) + click;
  }
  const data = encodePcm([left, right], 's16le');
  const header = wavHeader({ sampleRate, channels: 2, sampleFormat: 's16le' }, { dataBytes: data.length });
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Writes `count` WAV files (`<folder>/disc-<n>/track-<i>.wav`, a few per subfolder) and returns their paths. */
export async function writeCatalog(folder: string, count: number, seconds: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(folder, `disc-${Math.floor(i / 10)}`, `track-${String(i).padStart(2, '0')}.wav`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, toneWav(seconds, i));
    paths.push(path);
  }
  return paths;
}
