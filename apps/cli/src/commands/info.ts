import { parseArgs } from 'node:util';
import { REQUIRED_ENCODERS, resolveFfmpeg } from '@sluice/writers';
import type { Command } from '../io';
import { CLI_VERSION, packageVersion } from '../version';

const PACKAGES = ['@sluice/core', '@sluice/writers', '@sluice/metrics'];

/** `sluice info`: versions, ffmpeg and codecs. */
export const infoCommand: Command = {
  name: 'info',
  usage: 'sluice info [--json]',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
    const ffmpeg = await resolveFfmpeg();
    const audioCodecs = ['libmp3lame', 'libopus', 'libvorbis', 'aac', 'flac', 'pcm_s16le', 'pcm_f32le'];
    const report = {
      sluice: CLI_VERSION,
      node: process.version,
      packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
      ffmpeg: {
        path: ffmpeg.path,
        origin: ffmpeg.origin,
        version: ffmpeg.version,
        reason: ffmpeg.reason,
        encoders: audioCodecs.filter((name) => ffmpeg.encoders.has(name)),
        missing: REQUIRED_ENCODERS.filter((name) => !ffmpeg.encoders.has(name)),
      },
    };
    if (values.json) {
      io.out(JSON.stringify(report));
      return 0;
    }
    io.out(`sluice ${report.sluice} on Node ${report.node}`);
    for (const [name, version] of Object.entries(report.packages)) io.out(`  ${name.padEnd(18)} ${version}`);
    io.out(`ffmpeg ${ffmpeg.version} (${ffmpeg.origin})`);
    io.out(`  path     ${ffmpeg.path}`);
    io.out(`  why      ${ffmpeg.reason}`);
    io.out(
      `  codecs   ${report.ffmpeg.encoders.join(', ')}${report.ffmpeg.missing.length ? `; missing ${report.ffmpeg.missing.join(', ')}` : ''}`,
    );
    return 0;
  },
};
