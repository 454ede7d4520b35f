/**
 * The weightless separator, measured: SI-SDR improvement over the mixture
 * (SI-SDRi) per stem for each method tried, on generated songs with known
 * stems (clean stereo over several seeds, tempos and keys; mono; a shared
 * room; a stereo-spread vocal), and its streaming speed in and out of worker
 * threads.
 */
import { execFileSync } from 'node:child_process';
import { type AudioChunk, NullSink, Pipeline, type Source, createAudioChunk } from '@sluice/core';
import { report } from '@sluice/config/bench';
import { DspSeparator, type DspSeparatorOptions, type SeparationModel, SeparationProcessor, ThreadedDspSeparator } from '../src/index';
import { SONG_STEMS, type Song, type SongOptions, generateSong, improvements } from '../test/realistic-mix';

/** The methods tried, each a setting of the one separator. */
export const DSP_METHODS: Record<string, DspSeparatorOptions> = {
  'hpss + centre (vocals by panning)': { vocals: 'centre' },
  'hpss + repet-sim (vocals by not repeating)': { vocals: 'repeating' },
  'hpss + repet-sim + centre (the default)': {},
  'the default at 2048-point FFT': { fftSize: 2048 },
};

const CONDITIONS: Record<string, SongOptions[]> = {
  stereo: [1, 2, 3, 7].map((seed) => ({ seed })),
  mono: [4, 8].map((seed) => ({ seed, mono: true })),
  reverb: [5].map((seed) => ({ seed, reverb: true })),
  'spread vocal': [6].map((seed) => ({ seed, spreadVocal: true })),
};

function quality(): Record<string, number> {
  const songs = Object.fromEntries(
    Object.entries(CONDITIONS).map(([name, list]) => [name, list.map((options) => generateSong({ ...options, seconds: 10 }))]),
  );
  const figures: Record<string, number> = {};
  for (const [method, options] of Object.entries(DSP_METHODS)) {
    const separator = new DspSeparator(options);
    const rows: Record<string, number> = {};
    for (const [condition, list] of Object.entries(songs)) {
      const scores = list.map((song) => improvements(song, separator.separate(song.mix)));
      for (const stem of SONG_STEMS)
        rows[`${condition} ${stem} (worst of ${list.length})`] = Math.min(...scores.map((s) => s[stem] as number));
    }
    report(`SI-SDRi (dB) per stem, ${method}`, rows);
    const key = method.replace(/[^a-z0-9]+/gi, '_');
    for (const [row, value] of Object.entries(rows)) figures[`${key}:${row}`] = value;
  }
  return figures;
}

/** `frames` frames of a song (looped when longer) as a source of 4096-frame chunks. */
function songSource(song: Song, frames = song.mix[0]?.length ?? 0): Source {
  const format = { sampleRate: song.sampleRate, channels: song.mix.length };
  const length = song.mix[0]?.length ?? 1;
  async function* chunks(): AsyncGenerator<AudioChunk> {
    for (let at = 0, seq = 0; at < frames; seq++) {
      const offset = at % length;
      const planes = song.mix.map((plane) => plane.slice(offset, Math.min(offset + 4096, length, offset + frames - at)));
      at += planes[0]?.length ?? 0;
      yield createAudioChunk({ format, planes, seq, startFrame: at - (planes[0]?.length ?? 0) });
    }
  }
  return Object.assign(chunks(), { format });
}

async function streamingSpeed(song: Song, model: SeparationModel): Promise<number> {
  if (model instanceof ThreadedDspSeparator) await model.warmUp();
  const started = performance.now();
  await new Pipeline({ source: songSource(song), processors: [new SeparationProcessor(model)], sink: new NullSink() }).wait();
  await model.close();
  return (song.mix[0]?.length ?? 0) / song.sampleRate / ((performance.now() - started) / 1000);
}

async function speed(): Promise<Record<string, number>> {
  const song = generateSong({ seed: 11, seconds: 60 });
  const started = performance.now();
  new DspSeparator().separate(song.mix);
  const figures = {
    separateWholeBufferSpeed: 60 / ((performance.now() - started) / 1000),
    streamingInProcessSpeed: await streamingSpeed(song, new DspSeparator()),
    streamingOneWorkerSpeed: await streamingSpeed(song, new ThreadedDspSeparator({ workers: 1 })),
    streamingTwoWorkersSpeed: await streamingSpeed(song, new ThreadedDspSeparator({ workers: 2 })),
  };
  report('DSP separator, 60 s stereo song (× real time, workers warmed up; target ≥ 10 streaming off the event loop)', figures);
  return figures;
}

/** Child mode: streams `minutes` of a generated song (looped) through the threaded separator and prints the peak RSS. */
export async function dspRssChild(minutes: number): Promise<void> {
  const song = generateSong({ seed: 12, seconds: 20 });
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const source = songSource(song, minutes * 60 * song.sampleRate);
  const model = new ThreadedDspSeparator();
  await new Pipeline({ source, processors: [new SeparationProcessor(model)], sink: new NullSink() }).wait();
  await model.close();
  clearInterval(timer);
  process.stdout.write(`${JSON.stringify({ peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 })}\n`);
}

function rss(benchFile: string, minutes: number): number {
  const out = execFileSync(process.execPath, [...process.execArgv, benchFile], {
    env: { ...process.env, SLUICE_DSP_RSS_MINUTES: String(minutes) },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string).peakRssMb;
}

/** Everything above, in one run; `benchFile` is the bench entry that answers {@link dspRssChild} in a child. */
export async function dspBench(benchFile: string): Promise<Record<string, number>> {
  const figures = { ...quality(), ...(await speed()) };
  const memory = { dspPeakRss1MinMb: rss(benchFile, 1), dspPeakRss10MinMb: rss(benchFile, 10) };
  report('Peak RSS streaming through the threaded DSP separator (flat in the input length)', {
    ...memory,
    ratio: memory.dspPeakRss10MinMb / memory.dspPeakRss1MinMb,
  });
  return { ...figures, ...memory };
}
