import { parseArgs } from 'node:util';
import { transcode } from '@sluice/writers';
import { progressBar } from '../format';
import { type Command, UsageError } from '../io';
import { DECODE_OPTIONS, decodeErrorOption } from '../messages';
import {
  FILE_OUTPUT_HELP,
  FILE_OUTPUT_OPTIONS,
  fileOutputOptions,
  containerOf,
  parseBitrate,
  parsePositiveInteger,
  refuseInputAsOutput,
} from '../options';

/** `sluice transcode IN OUT`: streaming, file to file. */
export const transcodeCommand: Command = {
  name: 'transcode',
  usage: `sluice transcode IN OUT [--format F] [--bitrate 192k] [--sample-rate N] [--channels N]
                 [--sample-format s16|s24|f32] [--keep-partial] [--ignore-decode-errors]

Formats: wav pcm flac ogg opus mp3 aac m4a (default: from OUT's extension).
OUT is written under a temporary name and renamed when complete; it may not be IN.
${FILE_OUTPUT_HELP}`,
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        bitrate: { type: 'string' },
        'sample-rate': { type: 'string' },
        channels: { type: 'string' },
        ...FILE_OUTPUT_OPTIONS,
        ...DECODE_OPTIONS,
      },
    });
    const [input, output, ...extra] = positionals;
    if (input === undefined || output === undefined) throw new UsageError('give an input and an output file');
    if (extra.length > 0) throw new UsageError(`one input and one output, got also ${extra.join(' ')}`);
    const format = containerOf(output, values.format);
    const file = fileOutputOptions(values, format);
    const bitrate = parseBitrate(values.bitrate);
    const sampleRate = parsePositiveInteger(values['sample-rate'], 'sample-rate');
    const channels = parsePositiveInteger(values.channels, 'channels');
    await refuseInputAsOutput([output], [input]);
    const result = await transcode(input, output, {
      container: format,
      ...(bitrate !== undefined ? { bitrateKbps: bitrate } : {}),
      ...(sampleRate ? { sampleRate } : {}),
      ...(channels ? { channels } : {}),
      ...(file.sampleFormat !== undefined ? { sampleFormat: file.sampleFormat } : {}),
      ...(file.keepPartial ? { keepPartial: true } : {}),
      ...decodeErrorOption(values),
      signal,
    });
    const stats = result.stats;
    io.err(
      `${progressBar(1)} ${stats.audioSeconds.toFixed(1)} s of audio in ${stats.processingSeconds.toFixed(2)} s (${stats.speed.toFixed(0)}× real time)`,
    );
    io.out(`${output} (${result.container})`);
    return 0;
  },
};
