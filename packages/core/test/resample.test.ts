import { describe, expect, it } from 'vitest';
import { CallbackSource, CollectSink, ResampleProcessor, run } from '../src/index';
import { expectThrowCode, randomInt, seededRandom } from '@sluice/config/test-helpers';

async function resample(input: Float32Array, inRate: number, outRate: number, chunkFramess?: () => number): Promise<Float32Array> {
  const pieces: Float32Array[][] = [];
  for (let offset = 0; offset < input.length; ) {
    const size = chunkFramess?.() ?? 4096;
    pieces.push([input.subarray(offset, offset + size)]);
    offset += size;
  }
  const sink = new CollectSink();
  await run(new CallbackSource(pieces, { sampleRate: inRate, channels: 1 }), new ResampleProcessor({ targetRate: outRate }), sink);
  return sink.planes[0] as Float32Array;
}

function sine(frequency: number, rate: number, frames: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
}

/** Least-squares fit of a sinusoid at `frequency`; returns its amplitude and the RMS of what remains. */
function fitTone(signal: Float32Array, frequency: number, rate: number, from: number, to: number) {
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * frequency * i) / rate);
    const c = Math.cos((2 * Math.PI * frequency * i) / rate);
    const y = signal[i] as number;
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y * s;
    yc += y * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let residual = 0;
  for (let i = from; i < to; i++) {
    const fit = a * Math.sin((2 * Math.PI * frequency * i) / rate) + b * Math.cos((2 * Math.PI * frequency * i) / rate);
    residual += ((signal[i] as number) - fit) ** 2;
  }
  return { amplitude: Math.hypot(a, b), residualRms: Math.sqrt(residual / (to - from)) };
}

const db = (ratio: number) => 20 * Math.log10(ratio);
const PAIRS: [number, number][] = [
  [44100, 48000],
  [48000, 44100],
  [48000, 16000],
  [16000, 44100],
  [22050, 44100],
  [44100, 44101],
];

describe('ResampleProcessor', () => {
  it.each(PAIRS)('%i → %i: output length is exactly ceil(n × out / in)', async (inRate, outRate) => {
    for (const frames of [0, 1, 999, 44100]) {
      const output = await resample(new Float32Array(frames).fill(0.1), inRate, outRate);
      expect(output.length).toBe(Math.ceil((frames * outRate) / inRate));
    }
  });

  it.each(PAIRS)('%i → %i: chunk boundaries leave no trace', async (inRate, outRate) => {
    const random = seededRandom(inRate + outRate);
    const input = Float32Array.from({ length: 30_000 }, () => random() - 0.5);
    const whole = await resample(input, inRate, outRate, () => 30_000);
    const chunked = await resample(input, inRate, outRate, () => randomInt(random, 1, 2000));
    expect(chunked.length).toBe(whole.length);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs((whole[i] as number) - (chunked[i] as number)));
    expect(worst).toBeLessThan(1e-6);
  });

  it.each(PAIRS)(
    '%i → %i: passband flat within 0.1 dB up to 0.9 × the lower Nyquist, images and aliases ≥ 80 dB down',
    async (inRate, outRate) => {
      const lowerNyquist = Math.min(inRate, outRate) / 2;
      const frames = Math.round(inRate * 0.5);
      for (const fraction of [0.01, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9]) {
        const frequency = fraction * lowerNyquist;
        const output = await resample(sine(frequency, inRate, frames), inRate, outRate);
        const margin = 2000;
        const { amplitude, residualRms } = fitTone(output, frequency, outRate, margin, output.length - margin);
        expect(Math.abs(db(amplitude / 0.5)), `gain at ${frequency.toFixed(0)} Hz`).toBeLessThan(0.1);
        expect(db(residualRms / (0.5 / Math.SQRT2)), `residual at ${frequency.toFixed(0)} Hz`).toBeLessThan(-80);
      }
    },
  );

  it.each([
    [48000, 16000],
    [44100, 22050],
    [48000, 44100],
  ])('%i → %i: tones above the output Nyquist are rejected by ≥ 80 dB', async (inRate, outRate) => {
    const frames = Math.round(inRate * 0.5);
    for (const fraction of [1.0, 1.05, 1.3, 1.8]) {
      const frequency = (fraction * outRate) / 2;
      if (frequency >= inRate / 2) continue;
      const output = await resample(sine(frequency, inRate, frames), inRate, outRate);
      const margin = 2000;
      let energy = 0;
      for (let i = margin; i < output.length - margin; i++) energy += (output[i] as number) ** 2;
      const rms = Math.sqrt(energy / (output.length - 2 * margin));
      expect(db(rms / (0.5 / Math.SQRT2)), `leak at ${frequency.toFixed(0)} Hz`).toBeLessThan(-80);
    }
  });

  it('keeps stereo channels apart and the same rate passes through', async () => {
    const left = sine(1000, 44100, 4410);
    const right = sine(3000, 44100, 4410);
    const sink = new CollectSink();
    await run(new CallbackSource([[left, right]], { sampleRate: 44100, channels: 2 }), new ResampleProcessor({ targetRate: 48000 }), sink);
    expect(sink.format).toEqual({ sampleRate: 48000, channels: 2 });
    const same = new CollectSink();
    await run(new CallbackSource([[left, right]], { sampleRate: 44100, channels: 2 }), new ResampleProcessor({ targetRate: 44100 }), same);
    expect(same.planes).toEqual([left, right]);
  });

  it('reports its latency and rejects a bad target rate', () => {
    const processor = new ResampleProcessor({ targetRate: 48000 });
    processor.open({ sampleRate: 44100, channels: 1 });
    expect(processor.latencyFrames).toBeGreaterThan(0);
    expectThrowCode(() => new ResampleProcessor({ targetRate: Number.NaN }), 'E_FORMAT');
    expectThrowCode(() => new ResampleProcessor({ targetRate: 8000 }).process({} as never), 'E_INVALID_ARGUMENT');
  });
});
