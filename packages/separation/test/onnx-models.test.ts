import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCode, seededRandom } from '@sluice/config/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMUCS_HOP, OnnxHTDemucs, OnnxMdxNet, type OnnxSeparationModel, mdxIstft, mdxSegmentFrames, mdxStft } from '../src/index';
import { identityModel, mdxModel, splitModel, waveformModel } from './onnx-models';

const opened: OnnxSeparationModel[] = [];
async function keep<T extends OnnxSeparationModel>(model: Promise<T>): Promise<T> {
  const loaded = await model;
  opened.push(loaded);
  return loaded;
}
afterAll(async () => {
  await Promise.all(opened.map((model) => model.close()));
});

function noise(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random() - 0.5);
}

/** A sum of sines well below Nyquist (demucs drops the Nyquist bin, so white noise would not come back exactly). */
function tones(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const partials = Array.from({ length: 12 }, () => ({ f: 40 + random() * 15000, a: random() * 0.1, p: random() * 6 }));
  return Float32Array.from({ length }, (_, t) =>
    partials.reduce((sum, { f, a, p }) => sum + a * Math.sin((2 * Math.PI * f * t) / 44100 + p), 0),
  );
}

describe('OnnxHTDemucs', () => {
  it('reads names and shapes from a waveform export and runs it in a worker', async () => {
    const model = await keep(OnnxHTDemucs.load(waveformModel(4410, [1, 2, 3, 4], { ramp: false })));
    expect(model.contract).toBe('waveform');
    expect(model.stems).toEqual(['drums', 'bass', 'other', 'vocals']);
    expect(model.segmentFrames).toBe(4410);
    expect(model.inputs[0]).toMatchObject({ name: 'mix', shape: [1, 2, 4410], type: 'float32' });
    const window = [noise(4410, 1), noise(4410, 2)];
    const expected = window.map((plane) => plane.slice());
    const stems = await model.infer(window);
    (['drums', 'bass', 'other', 'vocals'] as const).forEach((stem, s) => {
      for (let c = 0; c < 2; c++) {
        const out = stems[stem]?.[c] as Float32Array;
        expect(out.length).toBe(4410);
        for (let i = 0; i < 4410; i += 97) expect(out[i]).toBeCloseTo((s + 1) * (expected[c]?.[i] as number), 6);
      }
    });
  });

  it('split export whose spectral branch is the identity gives the input back through STFT → iSTFT (1e-4, away from the window edges)', async () => {
    const frames = 16384;
    const model = await keep(OnnxHTDemucs.load(splitModel(frames, [1, 0, 0, 0], [0, 0, 0, 0]), { contract: 'split' }));
    expect(model.contract).toBe('split');
    expect(model.inputs.map((input) => input.shape)).toEqual([
      [1, 2, frames],
      [1, 4, 2048, 16],
    ]);
    const window = [tones(frames, 3), tones(frames, 4)];
    const expected = window.map((plane) => plane.slice());
    const stems = await model.infer(window);
    let worst = 0;
    // demucs' own _spec/_ispec drop two frames at each end: the outer 3·hop/2 samples are attenuated by design.
    for (let c = 0; c < 2; c++) {
      for (let i = 1.5 * DEMUCS_HOP; i < frames - 1.5 * DEMUCS_HOP; i++) {
        worst = Math.max(worst, Math.abs((stems.drums?.[c]?.[i] as number) - (expected[c]?.[i] as number)));
      }
    }
    expect(worst).toBeLessThan(1e-4);
    expect(Math.max(...(stems.bass?.[0] ?? []).map(Math.abs))).toBe(0);
  });

  it('split export: the result is iSTFT(spectral) + time branch', async () => {
    const frames = 8192;
    const model = await keep(OnnxHTDemucs.load(splitModel(frames, [0, 0, 1, 0], [0, 0, 0.5, 2])));
    expect(model.contract).toBe('split');
    const window = [tones(frames, 5), tones(frames, 6)];
    const expected = window.map((plane) => plane.slice());
    const stems = await model.infer(window);
    for (let i = 2000; i < 6000; i += 13) {
      expect(stems.other?.[1]?.[i]).toBeCloseTo(1.5 * (expected[1]?.[i] as number), 4);
      expect(stems.vocals?.[0]?.[i]).toBeCloseTo(2 * (expected[0]?.[i] as number), 5);
    }
  });

  it('takes stem names for 6-stem models and overrides', async () => {
    const six = await keep(OnnxHTDemucs.load(waveformModel(1000, [1, 1, 1, 1, 1, 1])));
    expect(six.stems).toEqual(['drums', 'bass', 'other', 'vocals', 'guitar', 'piano']);
    const named = await keep(OnnxHTDemucs.load(waveformModel(1000, [1, 1]), { stems: ['voice', 'rest'] }));
    expect(named.stems).toEqual(['voice', 'rest']);
    await expectCode(OnnxHTDemucs.load(waveformModel(1000, [1, 1])), 'E_MODEL');
  });

  it('a missing or corrupt file is E_MODEL', async () => {
    const missing = await OnnxHTDemucs.load(join(tmpdir(), 'no-such-model.onnx')).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 'E_MODEL', message: expect.stringMatching(/does not exist/) });
    const corrupt = join(tmpdir(), `corrupt-${process.pid}.onnx`);
    writeFileSync(corrupt, Buffer.from('this is not a protobuf model, just text'));
    const error = await OnnxHTDemucs.load(corrupt).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_MODEL', message: expect.stringMatching(/could not load/) });
  });

  it('a model that fits neither contract is E_MODEL naming what was expected and what was found', async () => {
    const error = await OnnxHTDemucs.load(identityModel(1000)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_MODEL' });
    const message = (error as Error).message;
    expect(message).toMatch(/waveform contract needs/);
    expect(message).toMatch(/split contract needs/);
    expect(message).toMatch(/found inputs: x float32 \[1, 2, 1000\]; outputs: y float32 \[1, 2, 1000\]/);
  });

  it('asking for the wrong contract says which one the model fits', async () => {
    const error = await OnnxHTDemucs.load(waveformModel(1000, [1, 1, 1, 1]), { contract: 'split' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'E_MODEL',
      message: expect.stringMatching(/fits the waveform contract: pass contract: 'waveform'/),
    });
  });

  it('a crashed worker fails inference with E_WORKER, and later calls too', async () => {
    const model = await keep(OnnxHTDemucs.load(waveformModel(1000, [1, 1, 1, 1])));
    model.crashWorkerForTesting();
    await expectCode(model.infer([new Float32Array(1000), new Float32Array(1000)]), 'E_WORKER');
    await expectCode(model.infer([new Float32Array(1000), new Float32Array(1000)]), 'E_WORKER');
  });

  it('a window of the wrong size is E_FORMAT, and a closed model E_CLOSED', async () => {
    const model = await OnnxHTDemucs.load(waveformModel(1000, [1, 1, 1, 1]));
    await expectCode(model.infer([new Float32Array(999), new Float32Array(999)]), 'E_FORMAT');
    await model.close();
    await model.close();
    await expectCode(model.infer([new Float32Array(1000), new Float32Array(1000)]), 'E_CLOSED');
  });
});

describe('MDX-Net STFT and OnnxMdxNet', () => {
  const config = { nFft: 6144, hop: 1024, dimF: 3072, dimT: 16 };

  it('mdxStft matches a naive DFT of the centred, reflect-padded, Hann-windowed frame', () => {
    const length = mdxSegmentFrames(config);
    const x = noise(length, 9);
    const spec = mdxStft([x, x], config);
    const window = (i: number) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / config.nFft);
    const padded = (i: number) => {
      const j = i - config.nFft / 2;
      const reflected = j < 0 ? -j : j >= length ? 2 * (length - 1) - j : j;
      return x[reflected] as number;
    };
    for (const [frame, bin] of [
      [0, 0],
      [3, 17],
      [15, 3000],
      [8, 1],
    ] as const) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < config.nFft; i++) {
        const value = padded(frame * config.hop + i) * window(i);
        re += value * Math.cos((-2 * Math.PI * bin * i) / config.nFft);
        im += value * Math.sin((-2 * Math.PI * bin * i) / config.nFft);
      }
      expect(spec[bin * config.dimT + frame]).toBeCloseTo(re, 3);
      expect(spec[(config.dimF + bin) * config.dimT + frame]).toBeCloseTo(im, 3);
    }
  });

  it('mdxIstft inverts mdxStft for content below dimF', () => {
    const length = mdxSegmentFrames(config);
    const planes = [tones(length, 10), tones(length, 11)];
    const back = mdxIstft(mdxStft(planes, config), 2, config);
    let worst = 0;
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < length; i++) worst = Math.max(worst, Math.abs((back[c]?.[i] as number) - (planes[c]?.[i] as number)));
    expect(worst).toBeLessThan(1e-4);
  });

  it('runs a model with UVR conventions: lowest 3 bins zeroed, compensate, secondary = mix − primary', async () => {
    const model = await keep(OnnxMdxNet.load(mdxModel(3072, 16, 1), { ...config, compensate: 1.5 }));
    expect(model.stems).toEqual(['vocals', 'instrumental']);
    expect(model.segmentFrames).toBe(15 * 1024);
    const length = model.segmentFrames;
    // A 2 kHz tone passes; a 2 Hz offset lives in the zeroed bins (< 3·44100/6144 ≈ 21.5 Hz) and goes to the secondary stem.
    const tone = Float32Array.from({ length }, (_, t) => 0.3 * Math.sin((2 * Math.PI * 2000 * t) / 44100));
    const window = [Float32Array.from(tone, (v) => v + 0.2), tone.slice()];
    const stems = await model.infer(window.map((plane) => plane.slice()));
    for (let i = 4000; i < 8000; i += 101) {
      expect(stems.vocals?.[1]?.[i]).toBeCloseTo(1.5 * (tone[i] as number), 3);
      expect(stems.vocals?.[0]?.[i]).toBeCloseTo(1.5 * (tone[i] as number), 2);
      expect((stems.vocals?.[0]?.[i] as number) + (stems.instrumental?.[0]?.[i] as number)).toBeCloseTo(window[0]?.[i] as number, 5);
    }
  });

  it('checks the shape against the given dimensions', async () => {
    await expectCode(OnnxMdxNet.load(mdxModel(3072, 16, 1), { nFft: 6144, dimT: 32 }), 'E_MODEL');
    await expectCode(OnnxMdxNet.load(waveformModel(1000, [1, 1, 1, 1]), { nFft: 6144 }), 'E_MODEL');
    await expectCode(OnnxMdxNet.load(mdxModel(3072, 16, 1), { nFft: 4096 }), 'E_INVALID_ARGUMENT');
  });
});
