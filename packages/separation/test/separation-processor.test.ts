import { ToneSource, createAudioChunk } from '@sluice/core';
import { expectCode, expectThrowCode, seededRandom } from '@sluice/config/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DspSeparator, OnnxHTDemucs, SeparationProcessor, separate, transitionWeights } from '../src/index';
import { waveformModel } from './onnx-models';
import { referenceApply, worstStemDifference } from './reference-apply';
import { streamThrough } from './streaming';

function noise(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random() - 0.5);
}

const WINDOW = 4410;
let model: OnnxHTDemucs;
let nonLinear: OnnxHTDemucs;
// 3.4 windows: not a multiple of the stride, so the last segments are short (centred with real context before them).
const mix = [noise(15013, 1), noise(15013, 2)];

beforeAll(async () => {
  model = await OnnxHTDemucs.load(waveformModel(WINDOW, [1, -0.5, 0.25, 2]));
  nonLinear = await OnnxHTDemucs.load(waveformModel(WINDOW, [3, 1, 0.5, 2], { tanh: true }));
});
afterAll(async () => {
  await model.close();
  await nonLinear.close();
});

describe('transitionWeights', () => {
  it('is demucs’ triangle, normalised, to the power', () => {
    const close = (actual: Float32Array, expected: number[]) => {
      for (const [i, w] of expected.entries()) expect(actual[i]).toBeCloseTo(w, 6);
    };
    close(transitionWeights(6, 1), [1 / 3, 2 / 3, 1, 1, 2 / 3, 1 / 3]);
    // Odd length: arange(1, 3) then arange(3, 0, -1), so the peak is just after the middle.
    close(transitionWeights(5, 2), [1 / 9, 4 / 9, 1, 4 / 9, 1 / 9]);
  });
});

describe('SeparationProcessor (overlap-add as demucs apply_model does it)', () => {
  let reference: Awaited<ReturnType<typeof referenceApply>>;
  beforeAll(async () => {
    reference = await referenceApply(model, mix, WINDOW);
  });

  it.each([1, 7, 1000, WINDOW, 3 * WINDOW + 5, 20000])(
    'streaming in chunks of %i frames equals batch apply_model to 1e-5',
    async (chunkFrames) => {
      const { stems, startFrames } = await streamThrough(model, mix, chunkFrames, { normalize: 'none' });
      expect(worstStemDifference(stems, reference)).toBeLessThan(1e-5);
      expect(startFrames[0]).toBe(0);
    },
  );

  it('reconstructs the expected stems: with a gain-only model every stem is gain × input to 1e-5', async () => {
    const gains = await OnnxHTDemucs.load(waveformModel(WINDOW, [1, -0.5, 0.25, 2], { ramp: false }));
    try {
      const { stems } = await streamThrough(gains, mix, 333, { normalize: 'none' });
      const expected = Object.fromEntries(
        (['drums', 'bass', 'other', 'vocals'] as const).map((stem, s) => [
          stem,
          mix.map((plane) => plane.map((v) => [1, -0.5, 0.25, 2][s]! * v)),
        ]),
      );
      expect(worstStemDifference(stems, expected)).toBeLessThan(1e-5);
    } finally {
      await gains.close();
    }
  });

  it('shorter segments than the model window are fed first in it with zeros after, as demucs does', async () => {
    const segment = 3000;
    const expected = await referenceApply(model, mix, segment, 0.4, 2);
    const { stems } = await streamThrough(model, mix, 777, {
      normalize: 'none',
      segmentSeconds: segment / 44100,
      overlap: 0.4,
      transitionPower: 2,
    });
    expect(worstStemDifference(stems, expected)).toBeLessThan(1e-5);
  });

  it('inputs shorter than one segment come out whole', async () => {
    const short = [noise(1234, 3), noise(1234, 4)];
    const expected = await referenceApply(model, short, WINDOW);
    const { stems } = await streamThrough(model, short, 100, { normalize: 'none' });
    expect(stems.vocals?.[0]?.length).toBe(1234);
    expect(worstStemDifference(stems, expected)).toBeLessThan(1e-5);
  });

  it('separate() (batch, no normalisation) equals the reference to 1e-5', async () => {
    const result = await separate(mix, { model, normalize: false });
    expect(result.frames).toBe(15013);
    expect(worstStemDifference(result.stems, reference)).toBeLessThan(1e-5);
  });

  it('separate() normalises by the whole track like demucs; running normalisation differs by a measured amount', async () => {
    const loud = mix.map((plane) => plane.map((v) => 0.9 * v + 0.05));
    const { mean, std } = (() => {
      const ref = loud[0]!.map((v, i) => (v + loud[1]![i]!) / 2);
      const m = ref.reduce((a, b) => a + b, 0) / ref.length;
      const s = Math.sqrt(ref.reduce((a, b) => a + (b - m) ** 2, 0) / (ref.length - 1));
      return { mean: m, std: s };
    })();
    const normalised = loud.map((plane) => plane.map((v) => (v - mean) / (std + 1e-8)));
    const expected = await referenceApply(nonLinear, normalised, WINDOW);
    for (const planes of Object.values(expected))
      for (const plane of planes) for (let i = 0; i < plane.length; i++) plane[i] = plane[i]! * (std + 1e-8) + mean;
    const batch = await separate(loud, { model: nonLinear });
    expect(worstStemDifference(batch.stems, expected)).toBeLessThan(1e-5);
    const streamed = await streamThrough(nonLinear, loud, 1000, { normalize: 'running' });
    const difference = worstStemDifference(streamed.stems, expected);
    console.info(`running vs whole-track normalisation through a tanh model: worst difference ${difference.toExponential(2)}`);
    // Stationary noise: the running estimate settles within the first window, so the two stay close.
    expect(difference).toBeGreaterThan(0);
    expect(difference).toBeLessThan(0.05);
  });

  it('shifts average demucs-style random delays, reproducibly with a seed', async () => {
    const once = await separate(mix, { model, normalize: false, shifts: 2, seed: 5 });
    const again = await separate(mix, { model, normalize: false, shifts: 2, seed: 5 });
    expect(worstStemDifference(once.stems, again.stems)).toBe(0);
    // The ramp model depends on where windows start, so shifted runs differ from the unshifted one, but not wildly.
    const difference = worstStemDifference(once.stems, reference);
    expect(difference).toBeGreaterThan(1e-4);
    expect(difference).toBeLessThan(2);
    const progress: number[] = [];
    await separate(mix, { model, normalize: false, shifts: 2, seed: 1, onProgress: (fraction) => progress.push(fraction) });
    expect(progress.at(-1)).toBeCloseTo(1, 6);
    expect(progress.every((value, i) => i === 0 || value >= (progress[i - 1] as number))).toBe(true);
  });

  it('silence gives silent stems, not NaN', async () => {
    const silence = [new Float32Array(9000), new Float32Array(9000)];
    for (const normalize of ['running', 'none'] as const) {
      const { stems } = await streamThrough(nonLinear, silence, 512, { normalize });
      for (const planes of Object.values(stems)) for (const plane of planes) expect(plane.every((v) => v === 0)).toBe(true);
    }
    const batch = await separate(silence, { model: nonLinear });
    expect(Object.values(batch.stems).every((planes) => planes.every((plane) => plane.every(Number.isFinite)))).toBe(true);
  });

  it('mono input is duplicated for the model and the stems come back mono, with a note', async () => {
    const notes: string[] = [];
    const processor = new SeparationProcessor(model, { normalize: 'none', onNote: (note) => notes.push(note) });
    const format = processor.open({ sampleRate: 44100, channels: 1 });
    expect(format).toEqual({ sampleRate: 44100, channels: 1 });
    const mono = mix[0] as Float32Array;
    const out = [...(await processor.process(createAudioChunk({ format, planes: [mono] }))), ...(await processor.flush())];
    expect(out.every((chunk) => chunk.planes.length === 1 && chunk.stems?.vocals?.length === 1)).toBe(true);
    expect(notes.join()).toMatch(/mono input duplicated/);
    const expected = await referenceApply(model, [mono, mono], WINDOW);
    const vocals = out.flatMap((chunk) => Array.from(chunk.stems?.vocals?.[0] ?? []));
    expect(Math.max(...vocals.map((v, i) => Math.abs(v - (expected.vocals?.[0]?.[i] as number))))).toBeLessThan(1e-5);
  });

  it('another sample rate is resampled with a note, or refused when asked', async () => {
    const notes: string[] = [];
    const processor = new SeparationProcessor(model, { onNote: (note) => notes.push(note) });
    expect(processor.open({ sampleRate: 48000, channels: 2 })).toEqual({ sampleRate: 44100, channels: 2 });
    expect(notes.join()).toMatch(/resampled from 48000 Hz/);
    const input = [noise(48000, 5), noise(48000, 6)];
    const out = [
      ...(await processor.process(createAudioChunk({ format: { sampleRate: 48000, channels: 2 }, planes: input }))),
      ...(await processor.flush()),
    ];
    expect(out.reduce((sum, chunk) => sum + chunk.frames, 0)).toBe(44100);
    expect(out[0]?.meta?.separationNotes).toEqual([expect.stringMatching(/resampled/)]);
    expectThrowCode(() => new SeparationProcessor(model, { resample: 'error' }).open({ sampleRate: 48000, channels: 2 }), 'E_FORMAT');
    expectThrowCode(() => new SeparationProcessor(model).open({ sampleRate: 44100, channels: 6 }), 'E_FORMAT');
  });

  it('states its latency: one segment', () => {
    expect(new SeparationProcessor(model).latencyFrames).toBe(WINDOW);
    expect(new SeparationProcessor(model, { segmentSeconds: 3000 / 44100 }).latencyFrames).toBe(3000);
  });

  it('emits each stretch as soon as it is final', async () => {
    const processor = new SeparationProcessor(model, { normalize: 'none', maxInFlight: 1 });
    const format = processor.open({ sampleRate: 44100, channels: 2 });
    const stride = Math.floor(0.75 * WINDOW);
    let emitted = 0;
    let fed = 0;
    for (let i = 0; i < 40; i++) {
      const planes = [noise(500, 10 + i), noise(500, 50 + i)];
      fed += 500;
      for (const chunk of await processor.process(createAudioChunk({ format, planes }))) emitted += chunk.frames;
      // With one window in flight, everything before the last full segment's end minus one hop is out.
      if (fed >= WINDOW + stride) expect(emitted).toBeGreaterThanOrEqual(Math.floor((fed - WINDOW) / stride) * stride - stride);
    }
    for (const chunk of await processor.flush()) emitted += chunk.frames;
    expect(emitted).toBe(fed);
  });

  it('reset() starts a new stream', async () => {
    const processor = new SeparationProcessor(model, { normalize: 'none' });
    const format = processor.open({ sampleRate: 44100, channels: 2 });
    await processor.process(createAudioChunk({ format, planes: [noise(7000, 1), noise(7000, 2)] }));
    processor.reset();
    const out = [...(await processor.process(createAudioChunk({ format, planes: mix }))), ...(await processor.flush())];
    expect(out[0]?.startFrame).toBe(0);
    expect(out.reduce((sum, chunk) => sum + chunk.frames, 0)).toBe(15013);
  });

  it('rejects bad options', () => {
    expectThrowCode(() => new SeparationProcessor(model, { overlap: 1 }), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => new SeparationProcessor(model, { segmentSeconds: 1 }), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => new SeparationProcessor(model, { maxInFlight: 0 }), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => new SeparationProcessor(model, { normalize: { mean: Number.NaN, std: 1 } }), 'E_INVALID_ARGUMENT');
  });

  it('works with the DSP separator behind the same interface: stems sum to the mix', async () => {
    const dsp = new DspSeparator({ segmentFrames: 44100 });
    const tone = new ToneSource({ frequency: 220, seconds: 2.5, sampleRate: 44100, channels: 2 });
    const planes: Float32Array[][] = [];
    for await (const chunk of tone) planes.push(chunk.planes as Float32Array[]);
    const input = [0, 1].map((c) => Float32Array.from(planes.flatMap((p) => Array.from(p[c] as Float32Array))));
    const { stems } = await streamThrough(dsp, input, 4096);
    let worst = 0;
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < (input[c]?.length ?? 0); i++) {
        const sum = (['drums', 'bass', 'other', 'vocals'] as const).reduce((acc, stem) => acc + (stems[stem]?.[c]?.[i] as number), 0);
        worst = Math.max(worst, Math.abs(sum - (input[c]?.[i] as number)));
      }
    }
    expect(worst).toBeLessThan(1e-5);
    await expectCode(separate([], { model: dsp }), 'E_INVALID_ARGUMENT');
  });
});
