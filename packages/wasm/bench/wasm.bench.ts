/**
 * The gain module in the sandbox against the same gain in TypeScript
 * in-process, 1024-frame stereo chunks through a Pipeline: time per chunk,
 * the ratio, and × real time, one chunk in the sandbox at a time and four
 * (`inFlight: 4`); the steady-state cost per chunk (the
 * difference between a 9,000- and a 3,000-chunk run, so the sandbox's
 * worker start-up, about 30 ms, is counted once, as its own figure); then 4
 * sandboxed instances in parallel.
 */
import { CallbackSource, GainProcessor, NullSink, Pipeline } from '@sluice/core';
import { finish, report } from '@sluice/config/bench';
import { WasmProcessor } from '../src/index';
import { GAIN } from '../test/modules';

const RATE = 48000;
const CHUNKS = 3000;
const chunk = [
  Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i / 9)),
  Float32Array.from({ length: 1024 }, (_, i) => Math.cos(i / 9)),
];
const source = (chunks = CHUNKS) =>
  new CallbackSource(
    Array.from({ length: chunks }, () => chunk.map((plane) => plane.slice())),
    { sampleRate: RATE, channels: 2 },
  );

async function time(processor: () => import('@sluice/core').Processor, chunks = CHUNKS): Promise<number> {
  const input = source(chunks);
  const started = performance.now();
  await new Pipeline({ source: input, processors: [processor()], sink: new NullSink() }).wait();
  return performance.now() - started;
}

/** Microseconds per chunk once running: (time for 9,000 chunks − time for 3,000) / 6,000, best of 3. */
async function steadyUsPerChunk(processor: () => import('@sluice/core').Processor): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const short = await time(processor, 3000);
    const long = await time(processor, 9000);
    best = Math.min(best, ((long - short) * 1000) / 6000);
  }
  return best;
}

const audioSeconds = (CHUNKS * 1024) / RATE;
await time(() => new GainProcessor({ gain: 0.5 }));
await time(() => new WasmProcessor(GAIN, { params: [0.5] }));
const ts: number[] = [];
const wasm: number[] = [];
for (let round = 0; round < 3; round++) {
  ts.push(await time(() => new GainProcessor({ gain: 0.5 })));
  wasm.push(await time(() => new WasmProcessor(GAIN, { params: [0.5] })));
}
const best = (values: number[]) => Math.min(...values);
const parallelStarted = performance.now();
await Promise.all(Array.from({ length: 4 }, () => time(() => new WasmProcessor(GAIN, { params: [0.5] }))));
const parallelMs = performance.now() - parallelStarted;

const steadyTypescript = await steadyUsPerChunk(() => new GainProcessor({ gain: 0.5 }));
const steadySandbox = await steadyUsPerChunk(() => new WasmProcessor(GAIN, { params: [0.5] }));
const steadyPipelined = await steadyUsPerChunk(() => new WasmProcessor(GAIN, { params: [0.5], inFlight: 4 }));
const pipelined: number[] = [];
for (let round = 0; round < 3; round++) pipelined.push(await time(() => new WasmProcessor(GAIN, { params: [0.5], inFlight: 4 })));
const startupMs = Math.min(...(await Promise.all([0, 1, 2].map(async () => time(() => new WasmProcessor(GAIN, { params: [0.5] }), 1)))));

const figures = {
  chunks: CHUNKS,
  steadyTypescriptUsPerChunk: steadyTypescript,
  steadySandboxUsPerChunk: steadySandbox,
  steadySandboxOverTypescript: steadySandbox / steadyTypescript,
  steadyInFlight4UsPerChunk: steadyPipelined,
  steadyInFlight4OverTypescript: steadyPipelined / steadyTypescript,
  inFlight4UsPerChunk: (best(pipelined) * 1000) / CHUNKS,
  inFlight4OverTypescript: best(pipelined) / best(ts),
  sandboxStartupMs: startupMs,
  typescriptUsPerChunk: (best(ts) * 1000) / CHUNKS,
  sandboxUsPerChunk: (best(wasm) * 1000) / CHUNKS,
  sandboxOverTypescript: best(wasm) / best(ts),
  typescriptSpeed: audioSeconds / (best(ts) / 1000),
  sandboxSpeed: audioSeconds / (best(wasm) / 1000),
  fourInstancesSpeed: (4 * audioSeconds) / (parallelMs / 1000),
  fourInstancesOverOne: parallelMs / best(wasm),
};
report('Gain: sandboxed WebAssembly vs TypeScript, 1024-frame stereo chunks', figures);
finish(figures);
