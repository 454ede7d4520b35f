import { parseArgs } from 'node:util';
import { GainProcessor, NullSink, Pipeline, ToneSource, formatStats } from '@sluice/core';
import type { Command } from '../io';
import { parseNumber, parsePositiveNumber } from '../options';

/** `sluice demo`: a tone through a gain pipeline, with the pipeline's stats. */
export const demoCommand: Command = {
  name: 'demo',
  usage: `sluice demo [--seconds N] [--frequency HZ] [--gain-db DB] [--json]

Generates a stereo 44.1 kHz sine tone, runs it through a GainProcessor in a
Pipeline and prints what the pipeline measured: chunks, frames, audio time,
processing time, and the speed in × real time.`,
  async run(args, io, signal) {
    const { values } = parseArgs({
      args,
      options: {
        seconds: { type: 'string', default: '30' },
        frequency: { type: 'string', default: '440' },
        'gain-db': { type: 'string', default: '-6' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const seconds = parsePositiveNumber(values.seconds, 'seconds') as number;
    const frequency = parseNumber(values.frequency, 'frequency', { min: 1, max: 22049 }) as number;
    const gainDb = parseNumber(values['gain-db'], 'gain-db', { min: -120, max: 60 }) as number;
    const source = new ToneSource({ seconds, frequency, sampleRate: 44100, channels: 2 });
    const gain = new GainProcessor({ gainDb });
    const pipeline = new Pipeline({ source, processors: [gain], sink: new NullSink(), signal });
    const stats = await pipeline.wait();
    if (values.json) {
      io.out(JSON.stringify(stats));
      return 0;
    }
    io.out(`tone ${values.frequency} Hz → gain ${values['gain-db']} dB → null sink`);
    io.out(formatStats(stats));
    for (const stage of stats.stages) {
      io.out(
        `  ${stage.kind.padEnd(9)} ${stage.name.padEnd(14)} ${String(stage.chunks).padStart(6)} chunks  ${stage.busySeconds.toFixed(4)} s busy`,
      );
    }
    return 0;
  },
};
