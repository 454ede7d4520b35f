import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CollectSink, Pipeline } from '@sluice/core';
import { SeparationMetrics, formatMetricsTable, metricsToJson } from '@sluice/metrics';
import { FileSource, probe } from '@sluice/writers';
import { type Command, UsageError } from '../io';
import { DECODE_OPTIONS, decodeErrorOption } from '../messages';

const AUDIO = new Set(['.wav', '.flac', '.mp3', '.ogg', '.opus', '.m4a', '.aac', '.pcm']);

async function decode(path: string, format: { sampleRate?: number; channels?: number; onDecodeError?: 'ignore' }): Promise<CollectSink> {
  const sink = new CollectSink();
  await new Pipeline({ source: await FileSource.open(path, format), sink }).wait();
  return sink;
}

async function stemFiles(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await readdir(directory)) {
    const extension = extname(name).toLowerCase();
    if (AUDIO.has(extension)) files.set(name.slice(0, -extension.length), join(directory, name));
  }
  return files;
}

/** `sluice metrics`: score an estimate (or a directory of stems) against references. */
export const metricsCommand: Command = {
  name: 'metrics',
  usage: `sluice metrics ESTIMATE REFERENCE [--json] [--bss] [--ignore-decode-errors]
sluice metrics --stems EST_DIR REF_DIR [--json] [--bss] [--ignore-decode-errors]

Files are decoded (any format) and the estimate converted to the reference's
rate and channels. With --stems, files are matched by name (vocals.wav ↔ vocals.flac).
JSON keys: siSdr, sdr, snr, correlation, and bss when asked.`,
  async run(args, io) {
    const warn = (text: string) => io.err(`sluice metrics: warning: ${text}`);
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        bss: { type: 'boolean', default: false },
        stems: { type: 'boolean', default: false },
        ...DECODE_OPTIONS,
      },
    });
    const [estimatePath, referencePath] = positionals;
    if (estimatePath === undefined || referencePath === undefined)
      throw new UsageError('give an estimate and a reference (files, or directories with --stems)');
    const pairs = new Map<string, [string, string]>();
    if (values.stems) {
      const [estimates, references] = await Promise.all([stemFiles(estimatePath), stemFiles(referencePath)]);
      for (const [name, path] of references) {
        const estimate = estimates.get(name);
        if (estimate) pairs.set(name, [estimate, path]);
      }
      if (pairs.size === 0) throw new UsageError(`no stems with the same name in ${estimatePath} and ${referencePath}`);
    } else {
      pairs.set('estimate', [estimatePath, referencePath]);
    }
    const estimates: Record<string, Float32Array[]> = {};
    const references: Record<string, Float32Array[]> = {};
    let sampleRate = 44100;
    for (const [name, [estimate, reference]] of pairs) {
      const ref = await decode(reference, decodeErrorOption(values));
      const format = ref.format as { sampleRate: number; channels: number };
      sampleRate = format.sampleRate;
      // Scores of inputs that do not line up are easy to misread: say what was converted or cut.
      const own = await probe(estimate);
      if (own.sampleRate !== format.sampleRate)
        warn(`${estimate} is ${own.sampleRate} Hz and ${reference} ${format.sampleRate} Hz; the estimate was resampled`);
      if (own.channels !== format.channels)
        warn(`${estimate} has ${own.channels} channel(s) and ${reference} ${format.channels}; the estimate was remixed`);
      const planes = (await decode(estimate, { ...format, ...decodeErrorOption(values) })).planes;
      const [estimateFrames, referenceFrames] = [planes[0]?.length ?? 0, ref.planes[0]?.length ?? 0];
      if (estimateFrames !== referenceFrames) {
        warn(
          `${estimate} is ${(estimateFrames / sampleRate).toFixed(3)} s and ${reference} ${(referenceFrames / sampleRate).toFixed(3)} s; both were cut to the shorter`,
        );
      }
      references[name] = ref.planes;
      estimates[name] = planes;
    }
    const report = await new SeparationMetrics({ truncate: true, ...(values.bss ? { bss: { sampleRate } } : {}) }).compute(
      estimates,
      references,
    );
    for (const text of report.warnings) warn(text);
    if (values.json) {
      const json = metricsToJson(report) as { stems: Record<string, unknown> };
      io.out(JSON.stringify(values.stems ? json : json.stems.estimate));
    } else {
      io.out(formatMetricsTable(report));
    }
    return 0;
  },
};
