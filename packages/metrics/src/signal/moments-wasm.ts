import { compileSimdModule } from '../wasm/simd-module';
import { MOMENTS_WASM_BASE64 } from './moments-bytes';
import type { Moments } from './moments';

/** Samples per block copied into the module's memory: two blocks (128 KiB) stay in L2 while the kernel reads them. */
const BLOCK = 16384;
/** Below this many samples the copies and the call cost more than the kernel saves (measured: the scalar loop wins at 128, the kernel from 256). */
const MIN_SAMPLES = 256;

interface Kernel {
  heap: Float32Array;
  results: Float64Array;
  moments: (a: number, b: number, n: number, out: number) => void;
}

/** undefined: not tried yet; null: no WebAssembly SIMD here (the scalar loop does everything). */
let kernel: Kernel | null | undefined;
let enabled = true;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  const module = compileSimdModule(MOMENTS_WASM_BASE64);
  if (module === null) return kernel;
  const exports = new WebAssembly.Instance(module).exports as {
    memory: WebAssembly.Memory;
    moments: Kernel['moments'];
  };
  kernel = {
    heap: new Float32Array(exports.memory.buffer, 0, 2 * BLOCK),
    results: new Float64Array(exports.memory.buffer, 2 * BLOCK * 4, 5),
    moments: exports.moments,
  };
  return kernel;
}

/**
 * Adds Σa, Σb, Σa², Σb², Σab of a[start, i) and b[start, i) to `target` (not
 * its `n`) with the SIMD kernel of moments.wat, block by block, and returns
 * i: `start` when the kernel is not available or the range is short, else the
 * end of the last whole group of 8 samples. The caller sums the rest.
 */
export function addSimdMoments(target: Moments, a: Float32Array, b: Float32Array, start: number, end: number): number {
  if (!enabled || end - start < MIN_SAMPLES) return start;
  const simd = load();
  if (simd === null) return start;
  const { heap, results, moments } = simd;
  const stop = start + ((end - start) & ~7);
  for (let from = start; from < stop; from += BLOCK) {
    const to = Math.min(from + BLOCK, stop);
    heap.set(a.subarray(from, to), 0);
    heap.set(b.subarray(from, to), BLOCK);
    moments(0, BLOCK * 4, to - from, 2 * BLOCK * 4);
    target.sumA += results[0] as number;
    target.sumB += results[1] as number;
    target.sumAA += results[2] as number;
    target.sumBB += results[3] as number;
    target.sumAB += results[4] as number;
  }
  return stop;
}

/** Turns the SIMD kernel off or on (for the benchmark's scalar baseline and the tests); returns whether it is available. */
export function useSimdMoments(on: boolean): boolean {
  enabled = on;
  return load() !== null;
}
