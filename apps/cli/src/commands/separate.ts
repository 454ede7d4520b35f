import { parseArgs } from 'node:util';
import { Pipeline, type Processor, type Source, createAudioChunk } from '@sluice/core';
import {
  BagOfModels,
  MODEL_CATALOG,
  loadModel as loadRegistryModel,
  type Normalization,
  OnnxHTDemucs,
  OnnxMdxNet,
  type SeparationModel,
  SeparationProcessor,
  ThreadedDspSeparator,
  type SeparationResult,
  separate,
  streamStats,
} from '@sluice/separation';
import { join } from 'node:path';
import { FileSource, MultiFileSink, extensionOf, probe } from '@sluice/writers';
import { progressBar } from '../format';
import { type Command, type CommandIo, UsageError } from '../io';
import { DECODE_OPTIONS, decodeErrorOption } from '../messages';
import { pullWithProgress } from './models';
import {
  FILE_OUTPUT_HELP,
  FILE_OUTPUT_OPTIONS,
  fileOutputOptions,
  parseNumber,
  parseContainer,
  parsePositiveInteger,
  refuseInputAsOutput,
} from '../options';

const CONTRACTS = ['waveform', 'split', 'mdx'] as const;

async function loadModel(
  values: Record<string, string | string[] | boolean | undefined>,
  io: CommandIo,
  signal: AbortSignal,
): Promise<SeparationModel> {
  const modelPaths = (values.model as string[] | undefined) ?? [];
  const modelPath = modelPaths[0];
  const threads = parsePositiveInteger(values.threads as string | undefined, 'threads');
  if (values.dsp || modelPath === undefined) {
    if (values.dsp && modelPath !== undefined) throw new UsageError('give either --dsp or --model, not both');
    // Worker threads: the progress bar keeps moving, and two windows are separated side by side.
    return new ThreadedDspSeparator(threads === undefined ? {} : { workers: threads });
  }
  const contract = (values.contract as string | undefined) ?? 'waveform';
  if (!(CONTRACTS as readonly string[]).includes(contract))
    throw new UsageError(`--contract must be one of ${CONTRACTS.join(', ')}, got "${contract}"`);
  const session = threads === undefined ? {} : { intraOpNumThreads: threads };
  if (modelPaths.length === 1 && MODEL_CATALOG.some((entry) => entry.name === modelPath)) {
    // A registry name: pulled only when asked.
    if (values.pull) await pullWithProgress(modelPath, io, signal);
    return loadRegistryModel(modelPath, { session });
  }
  if (modelPaths.length > 1) {
    if (contract === 'mdx') throw new UsageError('a bag (several --model) is of HTDemucs exports, not MDX-Net');
    const weights = parseWeights(values.weights as string | undefined, modelPaths.length);
    return BagOfModels.load(modelPaths, {
      ...(weights ? { weights } : {}),
      member: { contract: contract as 'waveform' | 'split', session },
    });
  }
  if (values.weights !== undefined) throw new UsageError('--weights is for a bag of several --model files');
  if (contract !== 'mdx') return OnnxHTDemucs.load(modelPath, { contract: contract as 'waveform' | 'split', session });
  const nFft = parsePositiveInteger(values['n-fft'] as string | undefined, 'n-fft');
  if (nFft === undefined) throw new UsageError('--contract mdx needs --n-fft (UVR model data: 6144, 7680, …)');
  const dimF = parsePositiveInteger(values['dim-f'] as string | undefined, 'dim-f');
  const dimT = parsePositiveInteger(values['dim-t'] as string | undefined, 'dim-t');
  const compensate = parseNumber(values.compensate as string | undefined, 'compensate');
  const primaryStem = values['primary-stem'] as string | undefined;
  return OnnxMdxNet.load(modelPath, {
    nFft,
    session,
    ...(dimF === undefined ? {} : { dimF }),
    ...(dimT === undefined ? {} : { dimT }),
    ...(compensate === undefined ? {} : { compensate }),
    ...(primaryStem === undefined ? {} : { primaryStem }),
  });
}

/** A separate() result as a stream of chunks carrying the stems (the first stem stands in as the mix). */
function stemsSource(result: SeparationResult): Source {
  const format = { sampleRate: result.sampleRate, channels: result.channels };
  const names = Object.keys(result.stems);
  return {
    name: 'separated',
    format,
    async *[Symbol.asyncIterator]() {
      const step = 65536;
      for (let at = 0, seq = 0; at < result.frames; at += step, seq++) {
        const end = Math.min(result.frames, at + step);
        const stems = Object.fromEntries(
          names.map((name) => [name, (result.stems[name] as Float32Array[]).map((plane) => plane.subarray(at, end))]),
        );
        yield createAudioChunk({
          format,
          planes: stems[names[0] as string] as Float32Array[],
          stems,
          seq,
          startFrame: at,
          final: end === result.frames,
        });
      }
    },
  };
}

/** `--weights`: `specialists` (stem k from model k, htdemucs_ft) or rows of numbers, `1,0,0,0/0,1,0,0/…`. */
function parseWeights(text: string | undefined, members: number): number[][] | undefined {
  if (text === undefined) return undefined;
  if (text === 'specialists')
    return Array.from({ length: members }, (_, m) => Array.from({ length: members }, (_, k) => (k === m ? 1 : 0)));
  const rows = text.split('/').map((row) => row.split(',').map(Number));
  if (rows.length !== members || rows.some((row) => row.some((value) => !Number.isFinite(value))))
    throw new UsageError(`--weights takes "specialists" or ${members} rows of numbers separated by / (one per --model), got "${text}"`);
  return rows;
}

const NORMALIZE = ['running', 'whole', 'none'] as const;

/** `--normalize`: the processor's option (whole: a first pass over the input); undefined keeps the model's default. */
async function normalizationOf(text: string | undefined, open: () => Promise<FileSource>): Promise<Normalization | undefined> {
  if (text === undefined) return undefined;
  if (!(NORMALIZE as readonly string[]).includes(text)) throw new UsageError(`--normalize must be running, whole or none, got "${text}"`);
  if (text === 'whole') return streamStats(await open());
  return text as 'running' | 'none';
}

/** `sluice separate IN --out DIR`: streaming source separation, file to per-stem files. */
export const separateCommand: Command = {
  name: 'separate',
  usage: `sluice separate IN --out DIR [--dsp | --model NAME|M.onnx [--pull] | --model M.onnx --contract waveform|split|mdx]
                [--stems vocals,drums] [--format wav|flac|mp3|...] [--segment SECONDS]
                [--overlap 0.25] [--normalize running|whole|none] [--shifts N] [--threads N]
                [--sample-format s16|s24|f32] [--keep-partial] [--ignore-decode-errors] [--json]
MDX-Net models also take --n-fft N [--dim-f N] [--dim-t N] [--compensate X] [--primary-stem NAME].
--model NAME runs a registry model (sluice models list); --pull downloads it first if it is not cached.
Several --model files make a bag, as demucs' BagOfModels: each stem the weighted average of the members'
(--weights specialists for htdemucs_ft, stem k from model k; or rows 1,0,0,0/0,1,0,0/…; default all ones).

Writes DIR/<stem>.<format> for each stem, streaming: memory stays flat however long IN is.
Without --model the weightless DSP separator runs in worker threads (--threads N of them, default 2; its
measured quality per stem is in @sluice/separation's README). With --sample-format f32 the stems sum to IN.
--segment defaults to the model's window (7.8 s for HTDemucs exports, 10 s for DSP); a shorter one is fed as
demucs' --segment is (the segment, then zeros to the window). The latency printed is how far the output lags
the input: one segment.
--shifts N: demucs' random shifts (N passes over the track, each delayed by up to 0.5 s, averaged); the track
is separated in memory. demucs' own CLI default is --shifts 1.
--normalize: models are fed (x - mean) / std of the channel average, as demucs does. whole reads IN twice (the
first pass measures the track, as demucs does); running uses the statistics up to each window, one pass (default
for models); none feeds the audio as it is (the default, and the only sensible choice, for --dsp).
No stem may land on IN (e.g. IN vocals.wav with --out . is refused).
${FILE_OUTPUT_HELP}`,
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        dsp: { type: 'boolean' },
        model: { type: 'string', multiple: true },
        weights: { type: 'string' },
        pull: { type: 'boolean' },
        shifts: { type: 'string' },
        contract: { type: 'string' },
        stems: { type: 'string' },
        format: { type: 'string' },
        segment: { type: 'string' },
        overlap: { type: 'string' },
        normalize: { type: 'string' },
        threads: { type: 'string' },
        'n-fft': { type: 'string' },
        'dim-f': { type: 'string' },
        'dim-t': { type: 'string' },
        compensate: { type: 'string' },
        'primary-stem': { type: 'string' },
        json: { type: 'boolean' },
        ...FILE_OUTPUT_OPTIONS,
        ...DECODE_OPTIONS,
      },
    });
    const [input] = positionals;
    if (input === undefined) throw new UsageError('give an input file');
    if (values.out === undefined) throw new UsageError('give an output directory with --out DIR');
    const format = parseContainer(values.format) ?? 'wav';
    const file = fileOutputOptions(values, format);
    const segment = parseNumber(values.segment, 'segment', { min: 0.1, max: 600 });
    const overlap = parseNumber(values.overlap, 'overlap', { min: 0, max: 0.99 });
    const model = await loadModel(values, io, signal);
    try {
      const stems = values.stems
        ?.split(',')
        .map((stem) => stem.trim())
        .filter(Boolean);
      const unknown = (stems ?? []).filter((stem) => !model.stems.includes(stem));
      if (unknown.length > 0) throw new UsageError(`no stem ${unknown.join(', ')}: this model gives ${model.stems.join(', ')}`);
      const out = values.out;
      await refuseInputAsOutput(
        (stems ?? model.stems).map((stem) => join(out, `${stem}.${extensionOf(format)}`)),
        [input],
      );
      const duration = await probe(input).then(
        (info) => info.durationSeconds,
        () => Number.NaN,
      );
      const decode = { sampleRate: model.sampleRate, ...decodeErrorOption(values) };
      const normalize = await normalizationOf(values.normalize, () => FileSource.open(input, decode));
      const shifts = parsePositiveInteger(values.shifts as string | undefined, 'shifts');
      const sink = new MultiFileSink(values.out, {
        container: format,
        ...file,
        inputs: [input],
        ...(stems === undefined ? {} : { stems }),
      });
      const options = {
        ...(segment === undefined ? {} : { segmentSeconds: segment }),
        ...(overlap === undefined ? {} : { overlap }),
        onNote: (note: string) => io.err(note),
      };
      let latency = 'whole track';
      let latencySeconds: number | null = null;
      let source: Source;
      const processors: Processor[] = [];
      if (shifts === undefined) {
        const processor = new SeparationProcessor(model, { ...options, ...(normalize === undefined ? {} : { normalize }) });
        latencySeconds = processor.latencyFrames / model.sampleRate;
        latency = `latency ${latencySeconds.toFixed(2)} s`;
        source = await FileSource.open(input, decode);
        processors.push(processor);
      } else {
        // demucs' shifts need the whole track (each shift is a pass over all of it): separated in memory, then written.
        const result = await separate(await FileSource.open(input, decode), {
          model,
          shifts,
          ...options,
          ...(normalize === undefined ? {} : { normalize: normalize !== 'none' }),
          signal,
        });
        source = stemsSource(result);
      }
      const pipeline = new Pipeline({ source, processors, sink, signal, progressIntervalMs: 250 });
      if (io.interactive) {
        pipeline.on('progress', (stats) => {
          const fraction = Number.isFinite(duration) && duration > 0 ? stats.audioSeconds / duration : 0;
          process.stderr.write(`\r${progressBar(fraction)} ${stats.audioSeconds.toFixed(1)} s, ${stats.speed.toFixed(1)}× real time `);
        });
      }
      const stats = await pipeline.wait();
      if (io.interactive) process.stderr.write('\n');
      io.err(
        `${progressBar(1)} ${stats.audioSeconds.toFixed(1)} s of audio in ${stats.processingSeconds.toFixed(2)} s (${stats.speed.toFixed(2)}× real time, ${model.name}, ${latency})`,
      );
      const files = sink.files;
      if (values.json) {
        io.out(
          JSON.stringify({
            model: model.name,
            stems: files,
            audioSeconds: stats.audioSeconds,
            processingSeconds: stats.processingSeconds,
            speed: stats.speed,
            latencySeconds,
          }),
        );
      } else {
        for (const [stem, path] of Object.entries(files)) io.out(`${stem}\t${path}`);
      }
      return 0;
    } finally {
      await model.close();
    }
  },
};
