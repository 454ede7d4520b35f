import { encodePcm } from '@sluice/core';
import { wavHeader } from '@sluice/writers';

/** `seconds` of stereo 44.1 kHz 16-bit WAV: a bass note, a chord and clicks, something for a separator to do. */
export function encodeWav(seconds: number): Uint8Array {
  const frames = Math.round(seconds * 44100);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / 44100;
    const click = i % 22050 < 300 ? 0.3 * Math.exp(-(i % 22050) / 60) : 0;
    left[i] = 0.3 * Math.sin(2 * Math.PI * 82 * t) + 0.1 * Math.sin(2 * Math.PI * 330 * t) + click;
    right[i] = 0.3 * Math.sin(2 * Math.PI * 82 * t) + 0.1 * Math.sin(2 * Math.PI * 415 * t) + click;
  }
  const data = encodePcm([left, right], 's16le');
  const header = wavHeader({ sampleRate: 44100, channels: 2, sampleFormat: 's16le' }, { dataBytes: data.length });
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}
