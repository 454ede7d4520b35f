/**
 * Separation benchmarks, all in one run:
 * - the streaming processor (worker, overlap-add, chunking) against raw
 *   onnxruntime inference over the same windows, with a 3.6 M-parameter
 *   waveform-contract model (target: ratio ≤ 1.15);
 * - the DSP separator's speed in × real time;
 * - peak RSS while streaming 10 and 60 minutes through the processor, each
 *   in a fresh child process (target: the 60-minute peak within 10% of the 10-minute one).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NoiseSource, NullSink, Pipeline, createAudioChunk } from '@sluice/core';
import { finish, report } from '@sluice/config/bench';
import * as ort from 'onnxruntime-node';
import { DspSeparator, OnnxHTDemucs, SeparationProcessor } from '../src/index';
import { convModel, waveformModel } from '../test/onnx-models';

const RATE = 44100;
const WINDOW = 343980;

/** Child mode: stream `minutes` of noise through a small model and print the peak RSS in MB. */
async function rssChild(minutes: number): Promise<void> {
  const model = await OnnxHTDemucs.load(waveformModel(WINDOW, [1, 1, 1, 1], { ramp: false }));
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 50);
  const source = new NoiseSource({ seconds: minutes * 60, sampleRate: RATE, channels: 2, chunkFrames: 4096, amplitude: 0.5 });
  await new Pipeline({ source, processors: [new SeparationProcessor(model)], sink: new NullSink() }).wait();
  clearInterval(timer);
  sample();
  await model.close();
  process.stdout.write(`${JSON.stringify({ peakRssMb: peak / 2 ** 20 })}\n`);
}

if (process.env.SLUICE_RSS_MINUTES !== undefined) {
  await rssChild(Number(process.env.SLUICE_RSS_MINUTES));
  process.exit(0);
}

function noise(frames: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: frames }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
}

// 1. Overhead against raw onnxruntime on the same windows.
const { path: convPath, parameters } = convModel(WINDOW);
const stride = Math.floor(0.75 * WINDOW);
const segments = 8;
const frames = segments * stride;
const mix = [noise(frames, 1), noise(frames, 2)];
const windows: Float32Array[] = [];
for (let offset = 0; offset < frames; offset += stride) {
  const length = Math.min(WINDOW, frames - offset);
  const start = offset - Math.floor((WINDOW - length) / 2);
  const data = new Float32Array(2 * WINDOW);
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < WINDOW; i++) {
      const t = start + i;
      data[c * WINDOW + i] = t >= 0 && t < frames ? (mix[c]?.[t] as number) : 0;
    }
  }
  windows.push(data);
}
const raw = await ort.InferenceSession.create(convPath);
const model = await OnnxHTDemucs.load(convPath);

async function rawRun(): Promise<number> {
  const started = performance.now();
  for (const data of windows) await raw.run({ mix: new ort.Tensor('float32', data, [1, 2, WINDOW]) });
  return performance.now() - started;
}

async function streamRun(): Promise<number> {
  const started = performance.now();
  const processor = new SeparationProcessor(model, { normalize: 'none' });
  const format = processor.open({ sampleRate: RATE, channels: 2 });
  for (let at = 0; at < frames; at += 4096) {
    await processor.process(createAudioChunk({ format, planes: mix.map((plane) => plane.subarray(at, Math.min(frames, at + 4096))) }));
  }
  await processor.flush();
  return performance.now() - started;
}

await rawRun();
await streamRun();
const rawTimes: number[] = [];
const streamTimes: number[] = [];
for (let round = 0; round < 3; round++) {
  rawTimes.push(await rawRun());
  streamTimes.push(await streamRun());
}
const best = (values: number[]) => Math.min(...values);
const audioSeconds = frames / RATE;
const overhead = {
  parameters,
  windows: windows.length,
  audioSeconds,
  rawOrtMs: best(rawTimes),
  streamingMs: best(streamTimes),
  overheadRatio: best(streamTimes) / best(rawTimes),
  streamingSpeed: audioSeconds / (best(streamTimes) / 1000),
};
report('Streaming processor vs raw onnxruntime (same windows, 3 rounds, best)', overhead);
await raw.release();
await model.close();

// 2. DSP separator speed.
const dspSeconds = 30;
const dspMix = [noise(dspSeconds * RATE, 3), noise(dspSeconds * RATE, 4)];
const dsp = new DspSeparator();
let started = performance.now();
const dspProcessor = new SeparationProcessor(dsp);
const dspFormat = dspProcessor.open({ sampleRate: RATE, channels: 2 });
for (let at = 0; at < dspMix[0]!.length; at += 4096) {
  await dspProcessor.process(createAudioChunk({ format: dspFormat, planes: dspMix.map((plane) => plane.subarray(at, at + 4096)) }));
}
await dspProcessor.flush();
const dspStreamMs = performance.now() - started;
started = performance.now();
dsp.separate(dspMix);
const dspBatchMs = performance.now() - started;
const dspFigures = { dspStreamingSpeed: dspSeconds / (dspStreamMs / 1000), dspSeparateSpeed: dspSeconds / (dspBatchMs / 1000) };
report(`DSP separator, ${dspSeconds} s stereo (× real time)`, dspFigures);

// 3. Peak RSS streaming 10 and 60 minutes, each in its own process.
function childPeak(minutes: number): number {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, SLUICE_RSS_MINUTES: String(minutes) },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string).peakRssMb;
}
const rss10 = childPeak(10);
const rss60 = childPeak(60);
const memory = { peakRss10MinMb: rss10, peakRss60MinMb: rss60, rss60Over10: rss60 / rss10 };
report('Peak RSS while streaming through the processor (tiny model, 343980-frame windows)', memory);

finish({ ...overhead, ...dspFigures, ...memory });
