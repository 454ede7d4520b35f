import { parseArgs } from 'node:util';
import { listDevices, listHostApis, play, record } from '@sluice/io-devices';
import { type Command, UsageError } from '../io';
import { DECODE_OPTIONS, decodeErrorOption } from '../messages';
import {
  FILE_OUTPUT_HELP,
  FILE_OUTPUT_OPTIONS,
  fileOutputOptions,
  containerOf,
  parsePositiveInteger,
  parsePositiveNumber,
} from '../options';

/** `--device` takes an id (a number) or a device name. */
export function parseDevice(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** `sluice devices`: audio devices and host APIs. */
export const devicesCommand: Command = {
  name: 'devices',
  usage: 'sluice devices [--json]',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
    const [devices, hostApis] = [await listDevices(), await listHostApis()];
    if (values.json) {
      io.out(JSON.stringify({ devices, hostApis }));
      return 0;
    }
    if (devices.length === 0) {
      const apis = hostApis.map((api) => `${api.name}: ${api.deviceCount} device(s)`).join(', ');
      io.out(
        `no audio devices found (PortAudio's host APIs: ${apis || 'none'}). This machine has no sound card that ALSA can open, or ALSA has no configuration for one; an ~/.asoundrc can route the default device to files (see @sluice/io-devices' README).`,
      );
      return 0;
    }
    for (const device of devices) {
      const marks = [device.defaultInput ? 'default in' : '', device.defaultOutput ? 'default out' : ''].filter(Boolean).join(', ');
      io.out(
        `${String(device.id).padStart(3)}  ${device.name.padEnd(28)} ${device.hostApi.padEnd(6)} in ${String(device.maxInputChannels).padStart(3)}  out ${String(device.maxOutputChannels).padStart(3)}  ${device.defaultSampleRate} Hz  ${(device.defaultHighOutputLatency * 1000).toFixed(0)} ms${marks ? `  (${marks})` : ''}`,
      );
    }
    return 0;
  },
};

/** `sluice play FILE`: a file through the speaker. */
export const playCommand: Command = {
  name: 'play',
  usage: 'sluice play FILE [--device ID|NAME] [--ignore-decode-errors]',
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { device: { type: 'string' }, ...DECODE_OPTIONS } });
    const [file] = positionals;
    if (file === undefined) throw new UsageError('give a file to play');
    const device = parseDevice(values.device);
    const stats = await play(file, { ...(device === undefined ? {} : { deviceId: device }), ...decodeErrorOption(values), signal });
    io.err(`played ${stats.audioSeconds.toFixed(2)} s${stats.underruns > 0 ? `, ${stats.underruns} underrun(s)` : ''}`);
    return 0;
  },
};

/** `sluice record OUT`: the microphone into a file. */
export const recordCommand: Command = {
  name: 'record',
  usage: `sluice record OUT [--seconds N] [--device ID|NAME] [--sample-rate N] [--channels N]
              [--sample-format s16|s24|f32] [--keep-partial]

Records for --seconds (default 5). Ctrl-C stops early; with --keep-partial what was recorded is kept.
${FILE_OUTPUT_HELP}`,
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        seconds: { type: 'string' },
        device: { type: 'string' },
        'sample-rate': { type: 'string' },
        channels: { type: 'string' },
        format: { type: 'string' },
        ...FILE_OUTPUT_OPTIONS,
      },
    });
    const [out] = positionals;
    if (out === undefined) throw new UsageError('give a file to record into');
    const format = containerOf(out, values.format);
    const file = { format, ...fileOutputOptions(values, format) };
    const seconds = parsePositiveNumber(values.seconds, 'seconds') ?? 5;
    const device = parseDevice(values.device);
    const sampleRate = parsePositiveInteger(values['sample-rate'], 'sample-rate');
    const channels = parsePositiveInteger(values.channels, 'channels');
    const stats = await record(out, {
      seconds,
      signal,
      file,
      ...(device === undefined ? {} : { deviceId: device }),
      ...(sampleRate === undefined ? {} : { sampleRate }),
      ...(channels === undefined ? {} : { channels }),
    });
    io.err(`recorded ${stats.audioSeconds.toFixed(2)} s${stats.overruns > 0 ? `, ${stats.overruns} overrun(s)` : ''}`);
    io.out(out);
    return 0;
  },
};
