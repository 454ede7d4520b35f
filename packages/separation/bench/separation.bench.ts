/**
 * Separation benchmarks, all in one run:
 * - the streaming processor (worker, overlap-add, chunking) against raw
 *   onnxruntime inference over the same windows, with a 3.6 M-parameter
 *   waveform-contract model and one of realistic size (20 M parameters, over a second per window)
 *   (target: ratio ≤ 1.05 at realistic size);
 * - the DSP separator: SI-SDRi per stem for each method tried on generated
 *   songs with known stems, streaming speed in and out of worker threads, and peak RSS (see dsp.ts);
 * - peak RSS while streaming 10 and 60 minutes through the processor, each
 *   in a fresh child process (target: the 60-minute peak within 10% of the 10-minute one);
 * - a bag of 4 members against one model over the same track (time; peak RSS,
 *   each in a fresh child: the lazy bag's within 1.3× one member's);
 * - `pullModel` against curl downloading the same file from a local server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoiseSource, NullSink, Pipeline, createAudioChunk } from '@sluice/core';
import { finish, report } from '@sluice/config/bench';
import * as ort from 'onnxruntime-node';
import { BagOfModels, LazyBag, OnnxHTDemucs, SeparationProcessor, pullModel, separate } from '../src/index';
import { convModel, waveformModel } from '../test/onnx-models';
import { dspBench, dspRssChild } from './dsp';

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

if (process.env.SLUICE_DSP_RSS_MINUTES !== undefined) {
  await dspRssChild(Number(process.env.SLUICE_DSP_RSS_MINUTES));
  process.exit(0);
}
if (process.env.SLUICE_RSS_MINUTES !== undefined) {
  await rssChild(Number(process.env.SLUICE_RSS_MINUTES));
  process.exit(0);
}

/** Child mode: separate 20 s with one conv model, a bag of 4 loaded at once, or a lazy bag; print time and peak RSS. */
async function bagChild(mode: string): Promise<void> {
  const { path } = convModel(WINDOW);
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  const seconds = 20;
  const planes = [0, 1].map((c) => Float32Array.from({ length: seconds * RATE }, (_, i) => Math.sin(i * (0.01 + c * 0.003)) * 0.3));
  const started = performance.now();
  if (mode === 'one') {
    const model = await OnnxHTDemucs.load(path);
    await separate(planes, { model });
    await model.close();
  } else if (mode === 'lazy') {
    await separate(planes, { model: LazyBag.fromPaths([path, path, path, path]) });
  } else {
    const bag = await BagOfModels.load([path, path, path, path]);
    await separate(planes, { model: bag });
    await bag.close();
  }
  const ms = performance.now() - started;
  clearInterval(timer);
  sample();
  process.stdout.write(`${JSON.stringify({ ms, peakRssMb: peak / 2 ** 20 })}\n`);
}

if (process.env.SLUICE_BAG_MODE !== undefined) {
  await bagChild(process.env.SLUICE_BAG_MODE);
  process.exit(0);
}

function noise(frames: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: frames }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
}

// 1. Overhead against raw onnxruntime on the same windows, for a small model and one of realistic size
// (HTDemucs has 42 M parameters and takes seconds per window on a CPU).
async function overheadFor(
  label: string,
  options: Parameters<typeof convModel>[1],
  segments: number,
  rounds: number,
): Promise<Record<string, number>> {
  const { path: convPath, parameters } = convModel(WINDOW, options);
  const stride = Math.floor(0.75 * WINDOW);
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
  const rawRun = async () => {
    const started = performance.now();
    for (const data of windows) await raw.run({ mix: new ort.Tensor('float32', data, [1, 2, WINDOW]) });
    return performance.now() - started;
  };
  const streamRun = async () => {
    const started = performance.now();
    const processor = new SeparationProcessor(model, { normalize: 'none' });
    const format = processor.open({ sampleRate: RATE, channels: 2 });
    for (let at = 0; at < frames; at += 4096) {
      await processor.process(createAudioChunk({ format, planes: mix.map((plane) => plane.subarray(at, Math.min(frames, at + 4096))) }));
    }
    await processor.flush();
    return performance.now() - started;
  };
  await rawRun();
  await streamRun();
  const rawTimes: number[] = [];
  const streamTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    rawTimes.push(await rawRun());
    streamTimes.push(await streamRun());
  }
  await raw.release();
  await model.close();
  const audioSeconds = frames / RATE;
  const figures = {
    parameters,
    windows: windows.length,
    audioSeconds,
    rawOrtMs: best(rawTimes),
    streamingMs: best(streamTimes),
    overheadRatio: best(streamTimes) / best(rawTimes),
    streamingSpeed: audioSeconds / (best(streamTimes) / 1000),
  };
  report(`Streaming processor vs raw onnxruntime, ${label} (same windows, best of ${rounds})`, figures);
  return figures;
}
const best = (values: number[]) => Math.min(...values);
const overhead = await overheadFor('3.6 M-parameter model', {}, 8, 3);
const realistic = await overheadFor(
  '20 M-parameter model, over a second per window (realistic size)',
  { width: 1536, hidden: 6144, hop: 60 },
  4,
  2,
);

// 2. The DSP separator: quality of each method tried, speed, memory.
const dspFigures = await dspBench(fileURLToPath(import.meta.url));

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

// 4. A bag of 4 against one model, each in a fresh process.
function child(env: Record<string, string>): { ms: number; peakRssMb: number } {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}
const one = child({ SLUICE_BAG_MODE: 'one' });
const lazy = child({ SLUICE_BAG_MODE: 'lazy' });
const eager = child({ SLUICE_BAG_MODE: 'eager' });
const bags = {
  oneModelMs: one.ms,
  lazyBagMs: lazy.ms,
  eagerBagMs: eager.ms,
  lazyBagTimeRatio: lazy.ms / one.ms,
  oneModelPeakRssMb: one.peakRssMb,
  lazyBagPeakRssMb: lazy.peakRssMb,
  eagerBagPeakRssMb: eager.peakRssMb,
  lazyBagRssRatio: lazy.peakRssMb / one.peakRssMb,
  eagerBagRssRatio: eager.peakRssMb / one.peakRssMb,
};
report('A bag of 4 (3.6 M-parameter members) vs one model, 20 s, separate(), fresh process each (target lazy RSS ≤ 1.3× one)', bags);

// 5. pullModel vs curl from a local server.
const pullBytes = randomBytes(128 * 2 ** 20);
const pullServer = createServer((_request, response) => response.writeHead(200, { 'Content-Length': pullBytes.length }).end(pullBytes));
await new Promise<void>((resolve) => pullServer.listen(0, '127.0.0.1', resolve));
const pullBase = `http://127.0.0.1:${(pullServer.address() as AddressInfo).port}`;
const pullDir = mkdtempSync(join(tmpdir(), 'sluice-pull-bench-'));
const catalog = [
  {
    name: 'bench',
    description: '',
    licence: '',
    source: '',
    layout: { kind: 'htdemucs', contract: 'waveform' } as const,
    files: [{ name: 'bench.bin', urls: [] }],
  },
];
const pullTimes: number[] = [];
const curlTimes: number[] = [];
for (let round = 0; round < 3; round++) {
  rmSync(join(pullDir, 'bench.bin'), { force: true });
  rmSync(join(pullDir, 'bench.bin.sha256'), { force: true });
  let at = performance.now();
  await pullModel('bench', { catalog, directory: pullDir, baseUrl: pullBase });
  pullTimes.push(performance.now() - at);
  at = performance.now();
  await new Promise<void>((resolve, reject) =>
    execFile('curl', ['-s', '-o', join(pullDir, 'curl.bin'), `${pullBase}/bench.bin`], (error) => (error ? reject(error) : resolve())),
  );
  curlTimes.push(performance.now() - at);
}
pullServer.close();
rmSync(pullDir, { recursive: true, force: true });
const pulls = {
  megabytes: pullBytes.length / 1e6,
  pullMs: best(pullTimes),
  curlMs: best(curlTimes),
  pullVsCurl: best(pullTimes) / best(curlTimes),
  pullMBps: pullBytes.length / 1e6 / (best(pullTimes) / 1000),
};
report('sluice models pull (download + SHA-256 + rename) vs curl to a file, 128 MB from 127.0.0.1, best of 3', pulls);

finish({
  ...overhead,
  realisticParameters: realistic.parameters,
  realisticOverheadRatio: realistic.overheadRatio,
  realisticStreamingSpeed: realistic.streamingSpeed,
  ...dspFigures,
  ...memory,
  ...bags,
  ...pulls,
});
