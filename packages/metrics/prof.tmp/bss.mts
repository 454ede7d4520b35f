import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { bssEval } from '../src/index';
const RATE = 44100;
let seed = 12345;
const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5;
function stem(frames: number, smoothing: number): Float32Array {
  const out = new Float32Array(frames);
  let a = 0,
    b = 0;
  for (let i = 0; i < frames; i++) {
    a += smoothing * (random() - a);
    b += smoothing * (a - b);
    out[i] = b;
  }
  return out;
}
const frames = 30 * RATE;
const references = [0.9, 0.05, 0.3, 0.6].map((s) => [stem(frames, s), stem(frames, s)]);
const estimates = references.map((source, j) =>
  source.map((plane, c) => {
    const leak = references[(j + 1) % references.length]?.[c] as Float32Array;
    return plane.map((v, i) => 0.95 * v + 0.08 * (leak[i] as number) + 0.01 * random());
  }),
);
for (let r = 0; r < Number(process.argv[2] ?? 1); r++) {
  const t = performance.now();
  const result = await bssEval(estimates, references, { sampleRate: RATE });
  console.log('bss 30 s', ((performance.now() - t) / 1000).toFixed(2), 's');
  const file = new URL('./baseline.json', import.meta.url);
  const flat = [result.sdr, result.isr, result.sir, result.sar].flat(2);
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(flat));
  else {
    const base = JSON.parse(readFileSync(file, 'utf8')) as number[];
    let worst = 0;
    base.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - (flat[i] as number)));
    });
    console.log('max |Δ| dB vs baseline', worst);
  }
}
