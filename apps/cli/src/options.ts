/**
 * Option parsing shared by commands: every bad value is a usage error (exit
 * 2) that quotes what was typed and names the flag, never a NaN passed on.
 */
import { SluiceError, type SampleFormat } from '@sluice/core';
import { CONTAINERS, type Container, assertNotAnInput, containerFromPath } from '@sluice/writers';
import { UsageError } from './io';

/** Parses `192k`, `192`, `192kbps` into kbit/s. */
export function parseBitrate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(k|kbps|kb\/s)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`--bitrate "${text}" is not understood; use e.g. 192k`);
  return Number(match[1]);
}

/** Parses a positive integer option. */
export function parsePositiveInteger(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value <= 0)
    throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  return value;
}

/** Parses a finite number option, optionally within [min, max]. */
export function parseNumber(text: string | undefined, name: string, range: { min?: number; max?: number } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${text}"`);
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = range;
  if (value < min || value > max) {
    const bounds =
      Number.isFinite(min) && Number.isFinite(max) ? `from ${min} to ${max}` : Number.isFinite(min) ? `at least ${min}` : `at most ${max}`;
    throw new UsageError(`--${name} must be ${bounds}, got "${text}"`);
  }
  return value;
}

/** Parses a number that must be above zero (durations, rates). */
export function parsePositiveNumber(text: string | undefined, name: string): number | undefined {
  const value = parseNumber(text, name);
  if (value !== undefined && !(value > 0)) throw new UsageError(`--${name} must be above 0, got "${text}"`);
  return value;
}

/** The container a `--format` flag names; a usage error listing the known ones otherwise. */
export function parseContainer(text: string | undefined): Container | undefined {
  if (text === undefined) return undefined;
  const format = text.toLowerCase() as Container;
  if (!CONTAINERS.includes(format)) throw new UsageError(`--format must be one of ${CONTAINERS.join(', ')}, got "${text}"`);
  return format;
}

/**
 * The container of an output file: `--format` if given, else the file's
 * extension. One rule for every command: an extension Sluice does not know
 * is a usage error naming the known formats and `--format`.
 */
export function containerOf(path: string, flag: string | undefined): Container {
  const format = parseContainer(flag) ?? containerFromPath(path);
  if (format === undefined) {
    throw new UsageError(`cannot tell the format of "${path}" from its extension; use one of ${CONTAINERS.join(', ')} or give --format`);
  }
  return format;
}

/** `--sample-format` values and the sample formats they mean. */
const SAMPLE_FORMATS = new Map<string, SampleFormat>([
  ['s16', 's16le'],
  ['s24', 's24le'],
  ['f32', 'f32le'],
]);

/** The formats each output container can store. */
const CONTAINER_SAMPLE_FORMATS = new Map<Container, readonly string[]>([
  ['wav', ['s16', 's24', 'f32']],
  ['pcm', ['s16', 's24', 'f32']],
  ['flac', ['s16', 's24']],
]);

/** Flags every command that writes an audio file takes. */
export const FILE_OUTPUT_OPTIONS = {
  'sample-format': { type: 'string' },
  'keep-partial': { type: 'boolean' },
} as const;

/** Help text for {@link FILE_OUTPUT_OPTIONS}. */
export const FILE_OUTPUT_HELP = `--sample-format s16|s24|f32  samples in WAV, PCM (all three) and FLAC (s16, s24); default s16
--keep-partial               if the command is interrupted or fails, keep what was written (playable)
                             under the output name; by default nothing is left there`;

/** What {@link FILE_OUTPUT_OPTIONS} ask of a FileSink writing `format`. */
export function fileOutputOptions(
  values: { 'sample-format'?: string | undefined; 'keep-partial'?: boolean | undefined },
  format: Container,
): { sampleFormat?: SampleFormat; keepPartial?: boolean } {
  const text = values['sample-format'];
  const options: { sampleFormat?: SampleFormat; keepPartial?: boolean } = values['keep-partial'] ? { keepPartial: true } : {};
  if (text === undefined) return options;
  const sampleFormat = SAMPLE_FORMATS.get(text);
  if (sampleFormat === undefined) throw new UsageError(`--sample-format must be s16, s24 or f32, got "${text}"`);
  const allowed = CONTAINER_SAMPLE_FORMATS.get(format);
  if (allowed === undefined) throw new UsageError(`--sample-format applies to wav, pcm and flac; ${format} chooses its own samples`);
  if (!allowed.includes(text)) throw new UsageError(`${format} stores ${allowed.join(' or ')} samples, not ${text}`);
  return { ...options, sampleFormat };
}

/** A usage error when an output is one of the inputs (same file by any path): nothing is read or written first. */
export async function refuseInputAsOutput(outputs: readonly string[], inputs: readonly string[]): Promise<void> {
  for (const output of outputs) {
    try {
      await assertNotAnInput(output, inputs);
    } catch (error) {
      if (SluiceError.isInstance(error) && error.code === 'E_INVALID_ARGUMENT') throw new UsageError(error.message);
      throw error;
    }
  }
}
