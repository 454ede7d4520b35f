/**
 * SI-SDR over 10 minutes of stereo 44.1 kHz (one pass; SIMD, against the scalar
 * loop and a single copy of the samples in the same run), and BSS-Eval v4 on a
 * 30 s four-stem stereo track (with and without the SIMD spectra). When Debian's python3 with mir_eval is there,
 * also mir_eval's bss_eval_images and a NumPy SI-SDR on the same data in the
 * same run (a 5 s excerpt for mir_eval, which needs minutes for 30 s).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, finish, report, timeTask } from '@sluice/config/bench';
import { bssEval, siSdr } from '../src/index';
import { useSimdSpectra } from '../src/bss/spectrum-arena';
import { useSimdMoments } from '../src/signal/moments-wasm';

const RATE = 44100;
let seed = 12345;
const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5;

/** Band-limited noise (two-pole low-pass), so the references look more like music than white noise. */
function stem(frames: number, smoothing: number): Float32Array {
  const out = new Float32Array(frames);
  let a = 0;
  let b = 0;
  for (let i = 0; i < frames; i++) {
    a += smoothing * (random() - a);
    b += smoothing * (a - b);
    out[i] = b;
  }
  return out;
}

function track(seconds: number) {
  const frames = Math.round(seconds * RATE);
  const references = [0.9, 0.05, 0.3, 0.6].map((smoothing) => [stem(frames, smoothing), stem(frames, smoothing)]);
  const estimates = references.map((source, j) =>
    source.map((plane, c) => {
      const leak = references[(j + 1) % references.length]?.[c] as Float32Array;
      return plane.map((v, i) => 0.95 * v + 0.08 * (leak[i] as number) + 0.01 * random());
    }),
  );
  return { references, estimates, frames };
}

// SI-SDR, 10 minutes stereo.
const longFrames = 10 * 60 * RATE;
const reference = [stem(longFrames, 0.5), stem(longFrames, 0.5)];
const estimate = reference.map((plane) => plane.map((v) => v + 0.01 * random()));
const siSdrTime = await timeTask(() => siSdr(estimate, reference), { runs: 5, warmup: 1 });
// Baselines in the same run: the scalar loop (no WebAssembly SIMD), and the floor of any method that reads the
// samples once, a TypedArray#set of every sample into one cache-sized block.
useSimdMoments(false);
const scalarTime = await timeTask(() => siSdr(estimate, reference), { runs: 5, warmup: 1 });
useSimdMoments(true);
const block = new Float32Array(16384);
const readOnceTime = await timeTask(
  () => {
    for (const plane of [...estimate, ...reference])
      for (let i = 0; i < plane.length; i += block.length) block.set(plane.subarray(i, Math.min(i + block.length, plane.length)));
  },
  { runs: 5, warmup: 1 },
);

// BSS-Eval v4 on 30 s, 4 stems, stereo.
const thirty = track(30);
// Baseline in the same run: the same computation with the spectra's multiply-accumulates in the scalar loop,
// alternating (simd, scalar, simd, …) so that neither gets the warmer JIT or the quieter minute.
const bssRun = (simd: boolean) => () => {
  useSimdSpectra(simd);
  return bssEval(thirty.estimates, thirty.references, { sampleRate: RATE });
};
const bssTimes = await compare({ simd: bssRun(true), scalar: bssRun(false) }, { rounds: 3, warmup: 0 });
useSimdSpectra(true);

const figures: Record<string, number | string> = {
  siSdr10MinStereoMs: siSdrTime.medianMs,
  siSdrGBps: (longFrames * 2 * 2 * 4) / 1e9 / (siSdrTime.medianMs / 1000),
  siSdrScalarMs: scalarTime.medianMs,
  siSdrSimdVsScalar: scalarTime.medianMs / siSdrTime.medianMs,
  readOnceCeilingMs: readOnceTime.medianMs,
  siSdrVsReadOnce: siSdrTime.medianMs / readOnceTime.medianMs,
  bssEval30sFourStemSeconds: bssTimes.simd / 1000,
  bssEval30sScalarSeconds: bssTimes.scalar / 1000,
  bssSimdVsScalar: bssTimes.scalar / bssTimes.simd,
};

// Same run, same data: mir_eval (v3 whole excerpt = our single window) and NumPy SI-SDR.
const python = '/usr/bin/python3';
const hasMirEval =
  existsSync(python) &&
  (() => {
    try {
      execFileSync(python, ['-c', 'import mir_eval.separation, numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
if (hasMirEval) {
  const excerpt = track(5);
  const directory = mkdtempSync(join(tmpdir(), 'sluice-metrics-bench-'));
  const file = join(directory, 'signals.f32');
  const interleave = (sources: Float32Array[][]) => {
    const out = new Float32Array(sources.length * excerpt.frames * 2);
    sources.forEach((source, j) => {
      for (let i = 0; i < excerpt.frames; i++)
        for (let c = 0; c < 2; c++) out[(j * excerpt.frames + i) * 2 + c] = (source[c] as Float32Array)[i] as number;
    });
    return out;
  };
  const both = new Float32Array([...interleave(excerpt.references), ...interleave(excerpt.estimates)]);
  writeFileSync(file, both);
  const longInterleaved = new Float32Array(2 * longFrames * 2);
  for (let i = 0; i < longFrames; i++) {
    for (let c = 0; c < 2; c++) {
      longInterleaved[i * 2 + c] = (estimate[c] as Float32Array)[i] as number;
      longInterleaved[(longFrames + i) * 2 + c] = (reference[c] as Float32Array)[i] as number;
    }
  }
  writeFileSync(`${file}.long`, longInterleaved);
  const script = fileURLToPath(new URL('./mir_eval_timing.py', import.meta.url));
  const mir = JSON.parse(execFileSync(python, [script, file, '4', '2', String(excerpt.frames), String(longFrames)], { encoding: 'utf8' }));
  const ours = await compare(
    { sluice: () => bssEval(excerpt.estimates, excerpt.references, { sampleRate: RATE, windowSeconds: Number.POSITIVE_INFINITY }) },
    { rounds: 1, warmup: 0 },
  );
  const check = await bssEval(excerpt.estimates, excerpt.references, { sampleRate: RATE, windowSeconds: Number.POSITIVE_INFINITY });
  rmSync(directory, { recursive: true, force: true });
  Object.assign(figures, {
    mirEvalBssImages5sSeconds: mir.bssSeconds,
    sluiceBss5sSeconds: ours.sluice / 1000,
    vsMirEval5s: mir.bssSeconds / (ours.sluice / 1000),
    maxSdrDifferenceVsMirEvalDb: Math.max(...check.sdr.map((row, j) => Math.abs((row[0] as number) - (mir.sdr[j] as number)))),
    numpySiSdr10MinMs: mir.siSdrSeconds * 1000,
    siSdrVsNumpy: (mir.siSdrSeconds * 1000) / siSdrTime.medianMs,
  });
} else {
  figures.mirEval = 'skipped: /usr/bin/python3 with mir_eval not found (apt-get install python3-mir-eval)';
}
report('Metrics', figures);
finish(figures);
