import { parseArgs } from 'node:util';
import { probe } from '@sluice/writers';
import { seconds } from '../format';
import { type Command, UsageError } from '../io';

/** `sluice probe FILE`. */
export const probeCommand: Command = {
  name: 'probe',
  usage: `sluice probe FILE [--json]

Exit status 0 when the file is whole, 1 when it cannot be read or is shorter than its header declares
(a download cut short: the duration shown is the declared one, and how much is present is said).`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    const [file] = positionals;
    if (file === undefined) throw new UsageError('give a file');
    const info = await probe(file);
    const truncated = info.truncated
      ? `${file} is truncated: its header declares ${seconds(info.durationSeconds)} but only about ${seconds(info.truncated.presentSeconds)} is in the file`
      : undefined;
    if (values.json) {
      io.out(JSON.stringify(info));
      if (truncated) io.err(`sluice probe: ${truncated}`);
      return truncated ? 1 : 0;
    }
    io.out(`${file}`);
    io.out(`  container  ${info.container}`);
    io.out(`  codec      ${info.codec}${info.lossless ? ' (lossless)' : ''}`);
    io.out(`  format     ${info.sampleRate} Hz, ${info.channels} channel(s)`);
    io.out(`  duration   ${seconds(info.durationSeconds)}`);
    io.out(`  bitrate    ${Number.isFinite(info.bitrateKbps) ? `${info.bitrateKbps.toFixed(0)} kbit/s` : 'unknown'}`);
    for (const [key, value] of Object.entries(info.tags)) io.out(`  ${key.padEnd(10)} ${value}`);
    if (truncated) {
      io.err(`sluice probe: ${truncated}`);
      return 1;
    }
    return 0;
  },
};
