/**
 * Streaming encoders compared on what a server pays per listener: 20
 * concurrent mono 24 kHz streams of 30 s each (a speech server's shape),
 * encoded by an ffmpeg process per stream and by the in-process WebAssembly
 * encoder (mp3: LAME; ogg: libvorbis), same run, same input:
 * - start-up: time to a stream's first bytes (alone, and p50/p95 among 20);
 * - CPU seconds per stream (the whole machine's, children included);
 * - peak RSS (this process plus its ffmpeg children);
 * - quality: SNR of the decoded stream against the input, both encoders at the same settings.
 * `createWriter`'s `AUTO_ENCODER` follows these figures.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { finish, report } from '@sluice/config/bench';
import { type EncoderChoice, type Container, createWriter } from '../src/index';
import { alignedSnr, ffmpegDecode, testSignal } from '../test/support/audio';

const RATE = 24000;
const SECONDS = 30;
const STREAMS = 20;
const CHUNK = RATE / 10;
const signal = [testSignal(SECONDS * RATE, RATE)[0] as Float32Array];

function cpuSeconds(): number {
  return cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.sys, 0) / 1000;
}

/** This process's RSS plus its children's (the ffmpeg encoders), MB. */
function rssWithChildren(): number {
  let total = process.memoryUsage().rss;
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let children = '';
    try {
      children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
      try {
        const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        total += Number(kb ?? 0) * 1024;
      } catch {}
    }
  }
  return total / 2 ** 20;
}

/** Encodes the signal as one stream; resolves with the time to its first bytes and the whole output. */
async function stream(format: Container, encoder: EncoderChoice): Promise<{ firstBytesMs: number; bytes: Uint8Array[] }> {
  const started = performance.now();
  // ogg by VBR quality on both sides: the in-process libvorbis has no bitrate mode (and ffmpeg's 160 kbps default
  // cannot be set up for mono 24 kHz).
  const writer = createWriter({ container: format, sampleRate: RATE, channels: 1, encoder, ...(format === 'ogg' ? { quality: 5 } : {}) });
  let firstBytesMs = -1;
  const bytes: Uint8Array[] = [];
  const keep = (part: Uint8Array) => {
    if (part.length === 0) return;
    if (firstBytesMs < 0) firstBytesMs = performance.now() - started;
    bytes.push(part);
  };
  for (let at = 0; at < SECONDS * RATE; at += CHUNK) {
    keep(await writer.write([(signal[0] as Float32Array).subarray(at, at + CHUNK)]));
    // Yield as a server between chunks does, so the streams interleave.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  keep(await writer.finalize());
  return { firstBytesMs, bytes };
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] as number;

type Figures = {
  aloneFirstBytesMs: number;
  firstBytesP50Ms: number;
  firstBytesP95Ms: number;
  wallSeconds: number;
  cpuSecondsPerStream: number;
  peakRssMb: number;
  snrDb: number;
};

async function measure(format: Container, encoder: EncoderChoice): Promise<Figures> {
  const alone = await stream(format, encoder);
  const decoded = await ffmpegDecode(Buffer.concat(alone.bytes), 1, RATE);
  const { snr } = alignedSnr(decoded, signal);
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssWithChildren());
  }, 20);
  const cpuBefore = cpuSeconds();
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: STREAMS }, () => stream(format, encoder)));
  const wallSeconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  const firsts = results.map((result) => result.firstBytesMs);
  return {
    aloneFirstBytesMs: alone.firstBytesMs,
    firstBytesP50Ms: percentile(firsts, 0.5),
    firstBytesP95Ms: percentile(firsts, 0.95),
    wallSeconds,
    cpuSecondsPerStream: (cpuSeconds() - cpuBefore) / STREAMS,
    peakRssMb: peak,
    snrDb: snr,
  };
}

const figures: Record<string, number> = {};
for (const format of ['mp3', 'ogg'] as const) {
  const ffmpeg = await measure(format, 'ffmpeg');
  const wasm = await measure(format, 'wasm');
  report(`${format}: ${STREAMS} concurrent ${SECONDS} s mono ${RATE / 1000} kHz streams, ffmpeg process per stream`, ffmpeg);
  report(`${format}: the same, in-process WebAssembly encoder`, wasm);
  const ratios = {
    cpuWasmOverFfmpeg: wasm.cpuSecondsPerStream / ffmpeg.cpuSecondsPerStream,
    rssWasmOverFfmpeg: wasm.peakRssMb / ffmpeg.peakRssMb,
    firstBytesP95WasmOverFfmpeg: wasm.firstBytesP95Ms / ffmpeg.firstBytesP95Ms,
    snrWasmMinusFfmpegDb: wasm.snrDb - ffmpeg.snrDb,
  };
  report(`${format}: in-process / ffmpeg`, ratios);
  for (const [key, value] of Object.entries({ ...ffmpeg })) figures[`${format}Ffmpeg:${key}`] = value;
  for (const [key, value] of Object.entries({ ...wasm })) figures[`${format}Wasm:${key}`] = value;
  for (const [key, value] of Object.entries(ratios)) figures[`${format}:${key}`] = value;
}
finish(figures);
