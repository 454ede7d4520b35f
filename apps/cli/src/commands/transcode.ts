import { parseArgs } from 'node:util';
import { type OutputFormat, transcodeFile } from '@sluice/writers';
import { type Command, UsageError } from '../io';
import { parseBitrate, parsePositiveInteger, progressBar } from '../format';

/** `sluice transcode IN OUT`: streaming, file to file. */
export const transcodeCommand: Command = {
  name: 'transcode',
  summary: 'Convert an audio file, streaming (never the whole file in memory)',
  usage: `sluice transcode IN OUT [--format F] [--bitrate 192k] [--sample-rate N] [--channels N]

Formats: wav pcm flac ogg opus mp3 aac m4a (default: from OUT's extension).`,
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { format: { type: 'string' }, bitrate: { type: 'string' }, 'sample-rate': { type: 'string' }, channels: { type: 'string' } },
    });
    const [input, output] = positionals;
    if (input === undefined || output === undefined) throw new UsageError('give an input and an output file');
    const bitrate = parseBitrate(values.bitrate);
    const sampleRate = parsePositiveInteger(values['sample-rate'], 'sample-rate');
    const channels = parsePositiveInteger(values.channels, 'channels');
    const result = await transcodeFile(input, output, {
      ...(values.format ? { codec: values.format as OutputFormat } : {}),
      ...(bitrate !== undefined ? { bitrate } : {}),
      ...(sampleRate ? { sampleRate } : {}),
      ...(channels ? { channels } : {}),
      signal,
    });
    const stats = result.stats;
    io.err(
      `${progressBar(1)} ${stats.audioSeconds.toFixed(1)} s of audio in ${stats.processingSeconds.toFixed(2)} s (${stats.speed.toFixed(0)}× real time)`,
    );
    io.out(`${output} (${result.format})`);
    return 0;
  },
};
