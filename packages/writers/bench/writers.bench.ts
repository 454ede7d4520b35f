/**
 * 10 minutes of stereo 44.1 kHz, same run, same input:
 * - WAV writing throughput (TypeScript, to a file);
 * - mp3 / opus / aac / flac through Sluice (a pipeline into FileSink) against
 *   the ffmpeg CLI encoding the same raw PCM file directly (ratio Sluice / CLI);
 * - decoding an mp3 through FileSource against the ffmpeg CLI decoding to /dev/null, and against the same
 *   output through a pipe into `cat` (what any reader of ffmpeg's pipe pays before doing anything).
 * The ffmpeg binary used is named in the output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, finish, report } from '@sluice/config/bench';
import { CallbackSource, NullSink, Pipeline, interleave } from '@sluice/core';
import { ffmpegOutputArgs } from '../src/encode/containers';
import { type Container, FileSink, FileSource, resolveFfmpeg } from '../src/index';

const RATE = 44100;
const SECONDS = 600;
const FRAMES = RATE * SECONDS;
const CHUNK = 4096;
const directory = mkdtempSync(join(tmpdir(), 'sluice-writers-bench-'));
const ffmpeg = await resolveFfmpeg();

const left = new Float32Array(FRAMES);
const right = new Float32Array(FRAMES);
let seed = 3;
for (let i = 0; i < FRAMES; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  const noise = (seed / 4294967296 - 0.5) * 0.02;
  left[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / RATE) + noise;
  right[i] = 0.3 * Math.sin((2 * Math.PI * 554 * i) / RATE) - noise;
}
const rawPath = join(directory, 'input.f32');
writeFileSync(rawPath, interleave([left, right]));

const source = () =>
  new CallbackSource(
    function* () {
      for (let start = 0; start < FRAMES; start += CHUNK) yield [left.subarray(start, start + CHUNK), right.subarray(start, start + CHUNK)];
    },
    { sampleRate: RATE, channels: 2 },
  );

async function sluiceEncode(format: Container) {
  await new Pipeline({ source: source(), sink: new FileSink(join(directory, `sluice.${format}`), { container: format }) }).wait();
}

function cliEncode(format: Container) {
  execFileSync(ffmpeg.path, [
    '-hide_banner',
    '-v',
    'error',
    '-y',
    '-f',
    'f32le',
    '-ar',
    String(RATE),
    '-ac',
    '2',
    '-i',
    rawPath,
    ...ffmpegOutputArgs(format, {}, 'file'),
    join(directory, `cli.${format}`),
  ]);
}

const wavTimes = await compare({ wav: () => sluiceEncode('wav') }, { rounds: 3, warmup: 1 });
const wavBytes = statSync(join(directory, 'sluice.wav')).size;
const figures: Record<string, number | string> = {
  ffmpeg: `${ffmpeg.version} (${ffmpeg.origin}, ${ffmpeg.path})`,
  wavWriteMBps: wavBytes / 1e6 / (wavTimes.wav / 1000),
};
for (const format of ['mp3', 'opus', 'aac', 'flac'] as const) {
  const times = await compare({ sluice: () => sluiceEncode(format), cli: () => cliEncode(format) }, { rounds: 2, warmup: 0 });
  figures[`${format}VsFfmpegCli`] = times.sluice / times.cli;
  figures[`${format}Speed`] = SECONDS / (times.sluice / 1000);
}
const mp3 = join(directory, 'cli.mp3');
const decodeTimes = await compare(
  {
    sluice: async () => void (await new Pipeline({ source: await FileSource.open(mp3), sink: new NullSink() }).wait()),
    cli: () => void execFileSync(ffmpeg.path, ['-hide_banner', '-v', 'error', '-i', mp3, '-f', 'f32le', '-y', '/dev/null']),
    // The ceiling for any decoder that reads ffmpeg through a pipe: the same samples through a pipe into `cat`.
    cliPipe: () =>
      void execFileSync('sh', [
        '-c',
        `"${ffmpeg.path}" -hide_banner -v error -i "${mp3}" -f f32le -flush_packets 0 pipe:1 | cat > /dev/null`,
      ]),
  },
  { rounds: 3, warmup: 1 },
);
figures.mp3DecodeVsFfmpegCli = decodeTimes.sluice / decodeTimes.cli;
figures.mp3DecodeVsFfmpegPipe = decodeTimes.sluice / decodeTimes.cliPipe;
figures.ffmpegPipeVsDevNull = decodeTimes.cliPipe / decodeTimes.cli;
figures.mp3DecodeSpeed = SECONDS / (decodeTimes.sluice / 1000);
rmSync(directory, { recursive: true, force: true });
report('Writers: 10 minutes of stereo 44.1 kHz (ratios are Sluice time / ffmpeg CLI time; ≤ 1.10 is the target)', figures);
finish(figures);
