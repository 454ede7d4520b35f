import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../../src/index';

/** A test signal: two tones, a chirp and a little noise, stereo, well inside [-1, 1]. */
export function testSignal(frames: number, sampleRate = 44100): Float32Array[] {
  let seed = 7;
  const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296 - 0.5) * 0.02;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    left[i] = 0.3 * Math.sin(2 * Math.PI * 440 * t) + 0.1 * Math.sin(2 * Math.PI * (200 + 400 * t) * t) + noise();
    right[i] = 0.25 * Math.sin(2 * Math.PI * 660 * t + 1) + noise();
  }
  return [left, right];
}

/** Decodes bytes or a file with ffmpeg into float planes (the independent check of what we wrote). */
export async function ffmpegDecode(input: Uint8Array | string, channels: number, sampleRate?: number): Promise<Float32Array[]> {
  const { path } = await resolveFfmpeg();
  const args = [
    '-hide_banner',
    '-v',
    'error',
    '-i',
    typeof input === 'string' ? input : 'pipe:0',
    '-f',
    'f32le',
    '-ac',
    String(channels),
    ...(sampleRate ? ['-ar', String(sampleRate)] : []),
    'pipe:1',
  ];
  const child = promisify(execFile)(path, args, { encoding: 'buffer', maxBuffer: 1 << 30 });
  if (typeof input !== 'string') {
    child.child.stdin?.on('error', () => {});
    child.child.stdin?.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  }
  const { stdout } = await child;
  const samples = new Float32Array(stdout.buffer.slice(stdout.byteOffset, stdout.byteOffset + stdout.byteLength));
  const frames = samples.length / channels;
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_, i) => samples[i * channels + c] as number));
}

/** SNR in dB of `decoded` against `reference` over their common length, after aligning by the best lag in ±maxLag. */
export function alignedSnr(decoded: Float32Array[], reference: Float32Array[], maxLag = 3000): { snr: number; lag: number } {
  const channel = 0;
  const a = decoded[channel] as Float32Array;
  const b = reference[channel] as Float32Array;
  let bestLag = 0;
  let best = Number.NEGATIVE_INFINITY;
  const window = Math.min(20000, b.length - maxLag);
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    let dot = 0;
    for (let i = maxLag; i < window; i += 4) dot += (a[i + lag] ?? 0) * (b[i] as number);
    if (dot > best) {
      best = dot;
      bestLag = lag;
    }
  }
  let signal = 0;
  let error = 0;
  for (let c = 0; c < reference.length; c++) {
    const d = decoded[c] as Float32Array;
    const r = reference[c] as Float32Array;
    for (let i = maxLag; i < r.length - maxLag; i++) {
      const value = d[i + bestLag] ?? 0;
      signal += (r[i] as number) ** 2;
      error += (value - (r[i] as number)) ** 2;
    }
  }
  return { snr: 10 * Math.log10(signal / error), lag: bestLag };
}

/** Largest sample-to-sample step in a plane. */
export function largestStep(plane: Float32Array, from = 0, to = plane.length): number {
  let largest = 0;
  for (let i = Math.max(1, from); i < to; i++) largest = Math.max(largest, Math.abs((plane[i] as number) - (plane[i - 1] as number)));
  return largest;
}

/** Child ffmpeg processes of this process right now (Linux /proc). */
export function ffmpegChildren(): number[] {
  const pids: number[] = [];
  for (const task of readdirSync('/proc/self/task')) {
    let children = '';
    try {
      children = readFileSync(`/proc/self/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ffmpeg') pids.push(pid);
      } catch {
        // already gone
      }
    }
  }
  return pids;
}

/** Waits until no ffmpeg child is left (reaping takes a moment), then returns how many remain. */
export async function settledFfmpegChildren(timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ffmpegChildren().length === 0) return 0;
    await new Promise((r) => setTimeout(r, 25));
  }
  return ffmpegChildren().length;
}
