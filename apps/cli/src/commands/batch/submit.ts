import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BatchClient, type CatalogOptions, JOB_KINDS, type JobKind, Storage, planCatalog, toStorageUrl } from '@sluice/batch';
import { type CommandIo, UsageError } from '../../io';
import { fileOutputOptions, parseBitrate, parseNumber, parseContainer, parsePositiveInteger } from '../../options';
import { CONNECTION_OPTIONS, prefixOf, redisUrlOf, storageOf } from './connection';

/** Options of `sluice batch submit`. */
export const SUBMIT_OPTIONS = {
  ...CONNECTION_OPTIONS,
  kind: { type: 'string' },
  out: { type: 'string', short: 'o' },
  name: { type: 'string' },
  attempts: { type: 'string' },
  model: { type: 'string' },
  dsp: { type: 'boolean' },
  stems: { type: 'string' },
  format: { type: 'string' },
  'sample-format': { type: 'string' },
  segment: { type: 'string' },
  bitrate: { type: 'string' },
  'sample-rate': { type: 'string' },
  channels: { type: 'string' },
  voice: { type: 'string' },
  rate: { type: 'string' },
  captions: { type: 'string' },
  references: { type: 'string' },
  bss: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** A folder (listed), or a file that lists one path or URL per line (# starts a comment). */
async function inputsOf(target: string): Promise<string | string[]> {
  if (target.startsWith('s3://')) return target;
  const path = target.startsWith('file://') ? new URL(target).pathname : target;
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`no such folder or list: ${target}`);
  if (info.isDirectory()) return toStorageUrl(target);
  const lines = (await readFile(path, 'utf8'))
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  if (lines.length === 0) throw new UsageError(`${target} lists no inputs`);
  return lines.map(toStorageUrl);
}

function kindOf(text: string | undefined): JobKind {
  if (text === undefined) throw new UsageError(`give --kind ${JOB_KINDS.join('|')}`);
  if (!(JOB_KINDS as readonly string[]).includes(text))
    throw new UsageError(`--kind must be one of ${JOB_KINDS.join(', ')}, got "${text}"`);
  return text as JobKind;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof SUBMIT_OPTIONS; allowPositionals: true }>>['values'];

function catalogOptions(kind: JobKind, inputs: string | string[], values: Values): CatalogOptions {
  if (values.out === undefined) throw new UsageError('give --out FOLDER (a path, file:// or s3:// URL)');
  const format = parseContainer(values.format);
  const sampleFormat = format === undefined ? undefined : fileOutputOptions(values, format).sampleFormat;
  if (values['sample-format'] !== undefined && format === undefined) throw new UsageError('--sample-format needs --format');
  if (values.dsp && values.model !== undefined) throw new UsageError('give either --dsp or --model, not both');
  if (values.captions !== undefined && values.captions !== 'vtt' && values.captions !== 'srt')
    throw new UsageError('--captions takes vtt or srt');
  const bitrate = parseBitrate(values.bitrate);
  const sampleRate = parsePositiveInteger(values['sample-rate'], 'sample-rate');
  const channels = parsePositiveInteger(values.channels, 'channels');
  const segment = parseNumber(values.segment, 'segment', { min: 0.1, max: 600 });
  const rate = parseNumber(values.rate, 'rate', { min: 0.25, max: 4 });
  const model = values.model === undefined ? undefined : values.model.includes('/') ? toStorageUrl(values.model) : values.model;
  return {
    kind,
    inputs,
    out: toStorageUrl(values.out),
    ...(model === undefined ? {} : { model }),
    ...(values.stems === undefined ? {} : { stems: values.stems.split(',').map((stem) => stem.trim()) }),
    ...(format === undefined ? {} : { container: format }),
    ...(sampleFormat === undefined ? {} : { sampleFormat }),
    ...(segment === undefined ? {} : { segmentSeconds: segment }),
    ...(bitrate === undefined ? {} : { bitrateKbps: bitrate }),
    ...(sampleRate === undefined ? {} : { sampleRate }),
    ...(channels === undefined ? {} : { channels }),
    ...(values.voice === undefined ? {} : { voice: values.voice }),
    ...(rate === undefined ? {} : { rate }),
    ...(values.captions === undefined ? {} : { captions: values.captions }),
    ...(values.references === undefined ? {} : { references: toStorageUrl(values.references) }),
    ...(values.bss ? { bss: true } : {}),
  };
}

/** `sluice batch submit DIR|LIST --kind K --out URL`. */
export async function submit(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: SUBMIT_OPTIONS });
  const [target, ...extra] = positionals;
  if (target === undefined) throw new UsageError('give a folder, a list file, or an s3:// prefix to submit');
  if (extra.length > 0) throw new UsageError(`one folder or list, got also ${extra.join(' ')}`);
  const kind = kindOf(values.kind);
  const attempts = parsePositiveInteger(values.attempts, 'attempts');
  const storageOptions = storageOf(values);
  const storage = new Storage(storageOptions);
  const client = new BatchClient({ redis: redisUrlOf(values), storage: storageOptions, ...prefixOf(values) });
  try {
    const jobs = await planCatalog(catalogOptions(kind, await inputsOf(target), values), storage);
    const result = await client.submit(jobs, {
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(attempts === undefined ? {} : { attempts }),
    });
    if (values.json) io.out(JSON.stringify(result));
    else {
      io.out(result.batchId);
      io.err(
        `${result.total} jobs: ${result.queued} queued, ${result.alreadyDone} already done, ${result.alreadyQueued} already queued, ${result.failedBefore} failed before`,
      );
    }
    return 0;
  } finally {
    storage.close();
    await client.close();
  }
}
