import { parseArgs } from 'node:util';
import { probe } from '@sluice/writers';
import { seconds } from '../format';
import { type Command, UsageError } from '../io';

/** `sluice probe FILE`. */
export const probeCommand: Command = {
  name: 'probe',
  summary: 'Show container, codec, rate, channels, duration, bitrate and tags of a file',
  usage: 'sluice probe FILE [--json]',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    const [file] = positionals;
    if (file === undefined) throw new UsageError('give a file');
    const info = await probe(file);
    if (values.json) {
      io.out(JSON.stringify(info));
      return 0;
    }
    io.out(`${file}`);
    io.out(`  container  ${info.container}`);
    io.out(`  codec      ${info.codec}${info.lossless ? ' (lossless)' : ''}`);
    io.out(`  format     ${info.sampleRate} Hz, ${info.channels} channel(s)`);
    io.out(`  duration   ${seconds(info.durationSeconds)}`);
    io.out(`  bitrate    ${Number.isFinite(info.bitrateKbps) ? `${info.bitrateKbps.toFixed(0)} kbit/s` : 'unknown'}`);
    for (const [key, value] of Object.entries(info.tags)) io.out(`  ${key.padEnd(10)} ${value}`);
    return 0;
  },
};
