import { seededRandom } from '@sluice/config/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BagOfModels,
  DspSeparator,
  LazyBag,
  OnnxHTDemucs,
  OnnxMdxNet,
  type SeparationModel,
  type StemPlanes,
  separate,
} from '../src/index';
import { float16WaveformModel, mdxModel, splitModel, waveformModel } from './onnx-models';
import { uvrDemix } from './reference-uvr';
import { applyBag, applyModel, separateTensor, separateTensorWith, stemSnr } from './reference-apply';
import { streamThrough } from './streaming';

// Issue 15 items 1–3 and 5: Sluice against demucs' own behaviour (transcribed in reference-apply.ts, line by line from
// demucs/apply.py, demucs/api.py, demucs/htdemucs.py), in every mode, for both contracts, to float32 precision.
// The models mix every sample with the window's mean, as a real model's convolutions do, so padding errors show.
const WINDOW = 4410;
const SPLIT_WINDOW = 8192;
const noise = (length: number, seed: number, dc = 0) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random() - 0.5 + dc);
};
// Not a multiple of the stride; a DC offset, so that normalisation matters.
const mix = [noise(15013, 1, 0.1), noise(15013, 2, 0.1)];
const splitMix = [noise(30011, 3, 0.05), noise(30011, 4, 0.05)];
let waveform: OnnxHTDemucs;
let split: OnnxHTDemucs;

beforeAll(async () => {
  waveform = await OnnxHTDemucs.load(waveformModel(WINDOW, [3, 1, 0.5, 2], { tanh: true, mixing: true }));
  split = await OnnxHTDemucs.load(splitModel(SPLIT_WINDOW, [1, 0.5, -0.25, 2], [0.3, -0.2, 0.1, 0.5]), { contract: 'split' });
});
afterAll(async () => {
  await waveform.close();
  await split.close();
});

/** mulberry32, as separate() draws its shifts, so the reference can be given the same offsets. */
function shiftOffsets(seed: number, shifts: number, maxShift: number): number[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: shifts }, () => Math.floor(next() * (maxShift + 1)));
}

const cases: [string, () => SeparationModel, () => Float32Array[], number][] = [
  ['waveform', () => waveform, () => mix, 3000],
  ['split', () => split, () => splitMix, 6000],
];

describe.each(cases)('the %s contract against demucs', (_name, model, input, shortSegment) => {
  it('no normalisation: streaming equals apply_model (≥ 100 dB)', async () => {
    const expected = await applyModel(model(), input());
    const { stems } = await streamThrough(model(), input(), 777, { normalize: 'none' });
    expect(stemSnr(stems, expected)).toBeGreaterThan(100);
    expect(stemSnr((await separate(input(), { model: model(), normalize: false })).stems, expected)).toBeGreaterThan(100);
  });

  it('whole-track normalisation: separate() equals Separator.separate_tensor, padding reaching the model as zeros (≥ 100 dB)', async () => {
    const expected = await separateTensor(model(), input());
    const { stems } = await separate(input(), { model: model() });
    expect(stemSnr(stems, expected)).toBeGreaterThan(100);
  });

  it('segments shorter than the window: the segment first, zeros after, as apply_model(segment=…) feeds HTDemucs (≥ 100 dB)', async () => {
    const segment = shortSegment / 44100;
    const expected = await applyModel(model(), input(), { segment, overlap: 0.4, transitionPower: 2 });
    const { stems } = await streamThrough(model(), input(), 500, {
      normalize: 'none',
      segmentSeconds: segment,
      overlap: 0.4,
      transitionPower: 2,
    });
    expect(stemSnr(stems, expected)).toBeGreaterThan(100);
    const normalised = await separateTensor(model(), input(), { segment, overlap: 0.4, transitionPower: 2 });
    const batch = await separate(input(), { model: model(), segmentSeconds: segment, overlap: 0.4, transitionPower: 2 });
    expect(stemSnr(batch.stems, normalised)).toBeGreaterThan(100);
  });

  it('shifts: the same random delays averaged (≥ 100 dB)', async () => {
    const offsets = shiftOffsets(7, 2, Math.floor(0.5 * 44100));
    const expected = await separateTensor(model(), input(), { shiftOffsets: offsets });
    const { stems } = await separate(input(), { model: model(), shifts: 2, seed: 7 });
    expect(stemSnr(stems, expected)).toBeGreaterThan(100);
  });

  it('running normalisation (no demucs counterpart) differs from whole-track by a stated amount', async () => {
    const expected = await separateTensor(model(), input());
    const { stems } = await streamThrough(model(), input(), 1000, { normalize: 'running' });
    const snr = stemSnr(stems, expected);
    console.info(`${_name}: running vs whole-track normalisation: ${snr.toFixed(1)} dB SNR`);
    // The running statistics settle within the first window of stationary noise: close, but not float32-equal.
    expect(snr).toBeGreaterThan(20);
    expect(snr).toBeLessThan(100);
  });
});

describe('the DSP separator is not normalised: its stems sum to the mix (issue 15 item 5)', () => {
  const sumError = (stems: StemPlanes, planes: Float32Array[]) => {
    let worst = 0;
    planes.forEach((plane, c) => {
      for (let i = 0; i < plane.length; i++) {
        const sum = Object.values(stems).reduce((acc, stem) => acc + ((stem[c] as Float32Array)[i] as number), 0);
        worst = Math.max(worst, Math.abs(sum - (plane[i] as number)));
      }
    });
    return worst;
  };

  it('through the streaming processor and separate(), on a mix with a DC offset', async () => {
    const dsp = new DspSeparator({ segmentFrames: 44100 });
    const offsetMix = [noise(100_000, 5, 0.3), noise(100_000, 6, -0.2)];
    expect(sumError((await streamThrough(dsp, offsetMix, 4096)).stems, offsetMix)).toBeLessThan(1e-5);
    expect(sumError((await separate(offsetMix, { model: dsp })).stems, offsetMix)).toBeLessThan(1e-5);
  });
});

describe('published export layouts (issue 15)', () => {
  it('a split export with the published names (mix, mag → x, xt) and (mix, mag → freq, time) is found and run', async () => {
    for (const names of [
      { wave: 'mix', spec: 'mag', specOut: 'x', waveOut: 'xt' },
      { wave: 'mix', spec: 'mag', specOut: 'freq', waveOut: 'time' },
    ]) {
      const named = await OnnxHTDemucs.load(splitModel(SPLIT_WINDOW, [1, 0.5, -0.25, 2], [0.3, -0.2, 0.1, 0.5], names));
      try {
        expect(named.contract).toBe('split');
        const expected = await applyModel(split, splitMix);
        expect(stemSnr((await separate(splitMix, { model: named, normalize: false })).stems, expected)).toBeGreaterThan(100);
      } finally {
        await named.close();
      }
    }
  });

  it('a six-stem waveform export (htdemucs_6s) names its stems as demucs does', async () => {
    const six = await OnnxHTDemucs.load(waveformModel(WINDOW, [1, 2, 3, 4, 5, 6]));
    try {
      expect(six.stems).toEqual(['drums', 'bass', 'other', 'vocals', 'guitar', 'piano']);
      const { stems } = await separate(mix, { model: six, normalize: false });
      expect(Object.keys(stems)).toEqual(six.stems);
    } finally {
      await six.close();
    }
  });

  it('a float16 export is converted at the edge: its stems are the float32 ones to half precision', async () => {
    const half = await OnnxHTDemucs.load(float16WaveformModel(WINDOW, [1, -0.5, 0.25, 2]));
    const full = await OnnxHTDemucs.load(waveformModel(WINDOW, [1, -0.5, 0.25, 2], { ramp: false }));
    try {
      const expected = (await separate(mix, { model: full, normalize: false })).stems;
      const { stems } = await separate(mix, { model: half, normalize: false });
      // float16 keeps 11 significant bits: about 66 dB.
      const snr = stemSnr(stems, expected);
      expect(snr).toBeGreaterThan(60);
      expect(snr).toBeLessThan(90);
    } finally {
      await half.close();
      await full.close();
    }
  });
});

describe('float16 conversion', () => {
  it('rounds to nearest even, as numpy astype(float16) does', async () => {
    const { toHalf, fromHalf } = await import('../src/onnx/float16');
    // np.float16(x).view(np.uint16) for each x.
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00],
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [6.1e-5, 0x03ff],
    ];
    for (const [value, half] of cases) expect(toHalf(value), String(value)).toBe(half);
    for (const [, half] of cases) expect(toHalf(fromHalf(half))).toBe(half);
  });
});

describe('bags of models, as demucs BagOfModels (htdemucs_ft: stem k from member k)', () => {
  it('weighted per stem, equal to apply_model on the bag (≥ 100 dB), streaming and batch', async () => {
    const gains = [
      [3, 1, 0.5, 2],
      [1, 2, -1, 0.5],
      [0.5, -0.5, 2, 1],
      [2, 0.25, 1, -1],
    ];
    const members = await Promise.all(gains.map((g) => OnnxHTDemucs.load(waveformModel(WINDOW, g, { tanh: true, mixing: true }))));
    try {
      for (const weights of [
        [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
          [0, 0, 1, 0],
          [0, 0, 0, 1],
        ],
        [
          [1, 1, 0.5, 1],
          [0.5, 1, 1, 0],
          [1, 0, 1, 1],
          [0, 1, 1, 2],
        ],
      ]) {
        const bag = new BagOfModels(members, { weights });
        const expected = await applyBag(members, weights, mix);
        expect(stemSnr((await streamThrough(bag, mix, 999, { normalize: 'none' })).stems, expected)).toBeGreaterThan(100);
        const normalised = await separateTensorWith((input) => applyBag(members, weights, input), mix);
        expect(stemSnr((await separate(mix, { model: bag })).stems, normalised)).toBeGreaterThan(100);
        // Members loaded one at a time (bounded memory), each over the whole track: the same result.
        const loaded: string[] = [];
        const lazy = new LazyBag(
          gains.map((g, m) => async () => {
            loaded.push(`load ${m}`);
            const member = await OnnxHTDemucs.load(waveformModel(WINDOW, g, { tanh: true, mixing: true }));
            const close = member.close.bind(member);
            member.close = async () => {
              loaded.push(`close ${m}`);
              await close();
            };
            return member;
          }),
          { weights, stems: ['drums', 'bass', 'other', 'vocals'] },
        );
        expect(stemSnr((await separate(mix, { model: lazy })).stems, normalised)).toBeGreaterThan(100);
        expect(loaded).toEqual(['load 0', 'close 0', 'load 1', 'close 1', 'load 2', 'close 2', 'load 3', 'close 3']);
      }
    } finally {
      await Promise.all(members.map((member) => member.close()));
    }
  });

  it('refuses members that do not match, weights of the wrong shape, and a stem nobody weighs', async () => {
    const six = await OnnxHTDemucs.load(waveformModel(WINDOW, [1, 2, 3, 4, 5, 6]));
    try {
      expect(() => new BagOfModels([waveform, six])).toThrow(/same stems/);
      expect(() => new BagOfModels([waveform], { weights: [[1, 1]] })).toThrow(/weights must be/);
      expect(() => new BagOfModels([waveform], { weights: [[1, 1, 1, 0]] })).toThrow(/no member has weight for vocals/);
      expect(() => new BagOfModels([])).toThrow(/at least one/);
    } finally {
      await six.close();
    }
  });
});

describe('MDX-Net as UVR runs it (python-audio-separator mdx_separator.py demix)', () => {
  const config = { nFft: 6144, hop: 1024, dimF: 2048, dimT: 16 };
  const long = [noise(50_017, 11, 0.02), noise(50_017, 12, -0.03)];

  it.each([0.25, 0.5, 0])(
    'chunked with Hann weights after trim zeros, overlap %s: streaming and separate() equal demix (≥ 100 dB)',
    async (overlap) => {
      const model = await OnnxMdxNet.load(mdxModel(config.dimF, config.dimT, 0.8), { ...config, compensate: 1.035 });
      try {
        expect(model.chunking).toEqual({ kind: 'uvr', trim: 3072 });
        expect(model.normalizedInput).toBe(false);
        const expected = await uvrDemix(model, long, overlap);
        expect(stemSnr((await streamThrough(model, long, 3333, { overlap })).stems, expected)).toBeGreaterThan(100);
        expect(stemSnr((await separate(long, { model, overlap })).stems, expected)).toBeGreaterThan(100);
      } finally {
        await model.close();
      }
    },
  );

  it('denoise runs the model on ±spectrum and averages, taking out what does not flip with the input', async () => {
    const biased = await OnnxMdxNet.load(mdxModel(config.dimF, config.dimT, 0.8, 0.01), { ...config, denoise: true });
    const clean = await OnnxMdxNet.load(mdxModel(config.dimF, config.dimT, 0.8), config);
    try {
      const denoised = (await separate(long, { model: biased })).stems;
      const expected = (await separate(long, { model: clean })).stems;
      expect(stemSnr(denoised, expected)).toBeGreaterThan(100);
    } finally {
      await biased.close();
      await clean.close();
    }
  });
});
