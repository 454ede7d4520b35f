import { describe, expect, it } from 'vitest';
import {
  SAMPLE_FORMATS,
  decodePcm,
  deinterleave,
  downmixToMono,
  encodePcm,
  floatToInt16,
  floatToInt24,
  int16ToFloat,
  int24ToFloat,
  interleave,
  remixPlanes,
} from '../src/index';
import { expectThrowCode, seededRandom } from '@sluice/config/test-helpers';

function randomPlanes(channels: number, frames: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: channels }, () => Float32Array.from({ length: frames }, () => random() * 2 - 1));
}

describe('interleave / deinterleave', () => {
  it.each([1, 2, 3, 6])('round-trips %i channels', (channels) => {
    const planes = randomPlanes(channels, 257, channels);
    const interleaved = interleave(planes);
    expect(interleaved[1 % interleaved.length]).toBe(channels === 1 ? planes[0]?.[1] : planes[1]?.[0]);
    expect(deinterleave(interleaved, channels)).toEqual(planes);
  });

  it('rejects a buffer that is not whole frames', () => {
    expectThrowCode(() => deinterleave(new Float32Array(5), 2), 'E_FORMAT');
  });
});

describe('PCM sample formats', () => {
  it.each(SAMPLE_FORMATS.filter((f) => f !== 'f32le' && f !== 'f64le'))('%s: integer samples round-trip bit-exactly', (format) => {
    const planes = randomPlanes(2, 1000, 7);
    const once = encodePcm(planes, format);
    const decoded = decodePcm(once, format, 2);
    expect(encodePcm(decoded, format)).toEqual(once);
  });

  it.each(['f32le', 'f64le'] as const)('%s keeps float samples exactly', (format) => {
    const planes = randomPlanes(3, 100, 3);
    expect(decodePcm(encodePcm(planes, format), format, 3)).toEqual(planes);
  });

  it('uses the ±2^(n-1) scale with clipping', () => {
    const plane = Float32Array.from([0, 0.5, -0.5, 1, -1, 2, -2, Number.NaN]);
    expect(Array.from(floatToInt16([plane]))).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768, 0]);
    expect(Array.from(floatToInt24([plane]))).toEqual([0, 4194304, -4194304, 8388607, -8388608, 8388607, -8388608, 0]);
    expect(int16ToFloat(Int16Array.from([-32768, 16384]), 1)[0]).toEqual(Float32Array.from([-1, 0.5]));
    expect(int24ToFloat(Int32Array.from([-8388608, 4194304]), 1)[0]).toEqual(Float32Array.from([-1, 0.5]));
  });

  it('rounds ties to even, as ffmpeg does', () => {
    const plane = Float32Array.from([0.5, 1.5, 2.5, -0.5, -1.5, -2.5].map((v) => v / 32768));
    expect(Array.from(floatToInt16([plane]))).toEqual([0, 2, 2, 0, -2, -2]);
  });

  it('writes little-endian interleaved bytes', () => {
    const bytes = encodePcm([Float32Array.from([0.5]), Float32Array.from([-0.5])], 's16le');
    expect(Array.from(bytes)).toEqual([0x00, 0x40, 0x00, 0xc0]);
  });

  it('handles unaligned buffers', () => {
    const planes = randomPlanes(2, 10, 9);
    const backing = new Uint8Array(41);
    const out = backing.subarray(1);
    encodePcm(planes, 's16le', { out });
    expect(decodePcm(out, 's16le', 2)).toEqual(decodePcm(encodePcm(planes, 's16le'), 's16le', 2));
  });

  it('dither is off by default and bounded to one LSB when on', () => {
    const plane = Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i / 10) * 0.3);
    expect(encodePcm([plane], 's16le')).toEqual(encodePcm([plane], 's16le'));
    const plain = floatToInt16([plane]);
    const dithered = floatToInt16([plane], { dither: 'tpdf' });
    let differs = 0;
    for (let i = 0; i < plain.length; i++) {
      const delta = Math.abs((plain[i] as number) - (dithered[i] as number));
      expect(delta).toBeLessThanOrEqual(2);
      if (delta > 0) differs++;
    }
    expect(differs).toBeGreaterThan(100);
  });

  it('rejects partial frames and unknown formats', () => {
    expectThrowCode(() => decodePcm(new Uint8Array(3), 's16le', 2), 'E_DECODE');
    expectThrowCode(() => encodePcm([new Float32Array(1)], 's12le' as never), 'E_UNSUPPORTED');
  });
});

describe('remix', () => {
  it('mono to stereo copies, stereo to mono averages', () => {
    const mono = Float32Array.from([0.2, -0.4]);
    const stereo = remixPlanes([mono], 2);
    expect(stereo).toEqual([mono, mono]);
    expect(stereo[0]).not.toBe(mono);
    expect(downmixToMono([Float32Array.from([1, 0]), Float32Array.from([0, 1])])).toEqual(Float32Array.from([0.5, 0.5]));
  });

  it('returns the input when the count already matches, and folds wider layouts', () => {
    const planes = randomPlanes(2, 4, 1);
    expect(remixPlanes(planes, 2)).toBe(planes);
    const six = randomPlanes(6, 4, 2);
    const folded = remixPlanes(six, 2);
    expect(folded[0]?.[0]).toBeCloseTo(((six[0]?.[0] as number) + (six[2]?.[0] as number) + (six[4]?.[0] as number)) / 3, 6);
    expectThrowCode(() => remixPlanes(planes, 0), 'E_FORMAT');
  });
});
