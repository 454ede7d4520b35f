/**
 * The gain module in the sandbox against the same gain in TypeScript
 * in-process, 1024-frame stereo chunks through a Pipeline: time per chunk,
 * the ratio, and × real time; then 4 sandboxed instances in parallel.
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
const source = () =>
  new CallbackSource(
    Array.from({ length: CHUNKS }, () => chunk.map((plane) => plane.slice())),
    { sampleRate: RATE, channels: 2 },
  );

async function time(processor: () => import('@sluice/core').Processor): Promise<number> {
  const started = performance.now();
  await new Pipeline({ source: source(), processors: [processor()], sink: new NullSink() }).wait();
  return performance.now() - started;
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

const figures = {
  chunks: CHUNKS,
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
