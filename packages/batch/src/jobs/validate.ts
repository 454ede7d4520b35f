import { type SampleFormat, SluiceError } from '@sluice/core';
import { CONTAINERS, type Container } from '@sluice/writers';
import { parseStorageUrl } from '../storage/storage-url';
import { type BatchJob, JOB_KINDS, type JobKind } from './kinds';

const SAMPLE_FORMATS: readonly SampleFormat[] = ['u8', 's16le', 's24le', 's32le', 'f32le', 'f64le'];

/** The fields each kind takes, and whether each is required: anything else is refused (a typo is not ignored). */
const FIELDS: ReadonlyMap<JobKind, Readonly<Record<string, boolean>>> = new Map<JobKind, Record<string, boolean>>([
  [
    'separate',
    { kind: true, input: true, out: true, model: true, stems: false, container: false, sampleFormat: false, segmentSeconds: false },
  ],
  [
    'transcode',
    { kind: true, input: true, out: true, container: false, bitrateKbps: false, sampleRate: false, channels: false, sampleFormat: false },
  ],
  [
    'speak',
    { kind: true, text: false, input: false, out: true, voice: false, rate: false, container: false, sampleRate: false, captions: false },
  ],
  ['metrics', { kind: true, estimates: true, references: true, out: true, bss: false }],
]);

function invalid(message: string, details?: Record<string, unknown>): SluiceError {
  return new SluiceError('E_INVALID_ARGUMENT', `batch job: ${message}`, details === undefined ? {} : { details });
}

function url(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a file:// or s3:// URL, got ${typeof value}`);
  parseStorageUrl(value); // throws E_INVALID_ARGUMENT naming what is wrong
  return value;
}

function number(value: unknown, field: string, min: number, max: number, integer = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value)))
    throw invalid(`${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw invalid(`${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function urlMap(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${field} must map stem names to URLs`);
  const entries = Object.entries(value);
  if (entries.length === 0) throw invalid(`${field} names no stem`);
  for (const [stem, target] of entries) url(target, `${field}.${stem}`);
  return value as Record<string, string>;
}

function checkKind(job: Record<string, unknown>, kind: JobKind): void {
  switch (kind) {
    case 'separate': {
      if (typeof job.model !== 'string' || job.model.length === 0)
        throw invalid('separate: model must be "dsp", a registry model name or a .onnx file URL');
      if (job.model.includes('://')) url(job.model, 'model');
      if (job.stems !== undefined) {
        if (
          !Array.isArray(job.stems) ||
          job.stems.length === 0 ||
          job.stems.some((stem) => typeof stem !== 'string' || !/^[\w-]+$/.test(stem))
        )
          throw invalid('separate: stems must be a non-empty list of stem names (letters, digits, _ and -)');
      }
      number(job.segmentSeconds, 'segmentSeconds', 0.1, 600);
      return;
    }
    case 'transcode':
      number(job.bitrateKbps, 'bitrateKbps', 8, 640, true);
      number(job.sampleRate, 'sampleRate', 8000, 384000, true);
      number(job.channels, 'channels', 1, 8, true);
      return;
    case 'speak': {
      const hasText = job.text !== undefined;
      if (hasText === (job.input !== undefined)) throw invalid('speak: give either text or input (a text file URL)');
      if (hasText && (typeof job.text !== 'string' || job.text.trim().length === 0)) throw invalid('speak: text is empty');
      if (job.voice !== undefined && (typeof job.voice !== 'string' || job.voice.length === 0))
        throw invalid('speak: voice must be a name');
      number(job.rate, 'rate', 0.25, 4);
      number(job.sampleRate, 'sampleRate', 8000, 96000, true);
      oneOf(job.captions, ['vtt', 'srt'], 'captions');
      return;
    }
    case 'metrics': {
      const estimates = urlMap(job.estimates, 'estimates');
      const references = urlMap(job.references, 'references');
      const missing = Object.keys(references).filter((stem) => !Object.hasOwn(estimates, stem));
      if (missing.length > 0) throw invalid(`metrics: no estimate for ${missing.join(', ')}`);
      if (job.bss !== undefined && typeof job.bss !== 'boolean') throw invalid('metrics: bss must be true or false');
      return;
    }
  }
}

/**
 * Checks a job before it is queued and again when a worker picks it up (the
 * data crossed Redis: another version of Sluice, or a hand-written producer,
 * may have put it there). Returns it typed, or throws `E_INVALID_ARGUMENT`
 * saying which field is wrong.
 */
export function validateJob(value: unknown): BatchJob {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('a job must be an object');
  const job = value as Record<string, unknown>;
  const kind = job.kind;
  if (typeof kind !== 'string' || !(JOB_KINDS as readonly string[]).includes(kind))
    throw invalid(`kind must be one of ${JOB_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  const fields = FIELDS.get(kind as JobKind) as Readonly<Record<string, boolean>>;
  for (const key of Object.keys(job)) {
    if (!Object.hasOwn(fields, key)) throw invalid(`${kind}: unknown field "${key}" (it takes ${Object.keys(fields).join(', ')})`);
  }
  for (const [key, required] of Object.entries(fields)) {
    if (required && job[key] === undefined) throw invalid(`${kind}: ${key} is required`);
  }
  if (job.input !== undefined) url(job.input, 'input');
  url(job.out, 'out');
  oneOf<Container>(job.container, CONTAINERS, 'container');
  oneOf(job.sampleFormat, SAMPLE_FORMATS, 'sampleFormat');
  checkKind(job, kind as JobKind);
  return job as unknown as BatchJob;
}
