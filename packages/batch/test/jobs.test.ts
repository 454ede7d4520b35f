import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expectCode, expectThrowCode } from '@sluice/config/test-helpers';
import { writeCatalog } from '@sluice/test-servers/catalog';
import { describe, expect, it } from 'vitest';
import {
  Storage,
  type TranscodeJob,
  isRetryable,
  jobIdOf,
  joinStorageUrl,
  parseStorageUrl,
  planCatalog,
  toStorageUrl,
  validateJob,
} from '../src/index';
import { SluiceError } from '@sluice/core';

const url = (path: string) => pathToFileURL(path).href;

describe('job data is checked on submit and on pickup', () => {
  const good: TranscodeJob = { kind: 'transcode', input: 'file:///in/a.wav', out: 'file:///out/a.mp3', container: 'mp3' };

  it('accepts a well-formed job of each kind', () => {
    expect(validateJob(good)).toBe(good);
    validateJob({ kind: 'separate', input: 's3://bucket/a.wav', out: 's3://bucket/stems/a/', model: 'dsp', stems: ['vocals'] });
    validateJob({ kind: 'speak', text: 'Hello there.', out: 'file:///out/a.mp3', captions: 'vtt', rate: 1.5 });
    validateJob({
      kind: 'metrics',
      estimates: { vocals: 'file:///e/v.wav' },
      references: { vocals: 'file:///r/v.wav' },
      out: 'file:///m.json',
    });
  });

  it('refuses, naming the field: unknown kinds and fields (looked up as own properties), bad URLs, ranges', () => {
    for (const [job, words] of [
      [{ ...good, kind: 'toString' }, /kind must be one of/],
      [{ ...good, kind: 'constructor' }, /kind must be one of/],
      [{ ...good, bitrate: 192 }, /unknown field "bitrate"/],
      [{ ...good, constructor: 1 }, /unknown field "constructor"/],
      [{ ...good, input: '/in/a.wav' }, /not a storage URL/],
      [{ ...good, input: 'http://x/a.wav' }, /not a storage URL/],
      [{ ...good, input: 'file://relative/a.wav' }, /file:\/\/ URL/],
      [{ ...good, bitrateKbps: 1e9 }, /bitrateKbps must be/],
      [{ ...good, container: 'exe' }, /container must be one of/],
      // The field was called `format` before the one-vocabulary release: it is refused by name, never ignored.
      [{ ...good, format: 'mp3' }, /unknown field "format"/],
      [{ kind: 'transcode', input: 'file:///a.wav' }, /out is required/],
      [{ kind: 'speak', text: 'hi', input: 'file:///a.txt', out: 'file:///a.mp3' }, /either text or input/],
      [{ kind: 'speak', text: '   ', out: 'file:///a.mp3' }, /text is empty/],
      [{ kind: 'separate', input: 'file:///a.wav', out: 'file:///o/', model: 'dsp', stems: ['../x'] }, /stems must be/],
      [{ kind: 'metrics', estimates: {}, references: { v: 'file:///r.wav' }, out: 'file:///m.json' }, /names no stem/],
      [
        { kind: 'metrics', estimates: { d: 'file:///e.wav' }, references: { v: 'file:///r.wav' }, out: 'file:///m.json' },
        /no estimate for v/,
      ],
      [null, /must be an object/],
      [[good], /must be an object/],
    ] as const) {
      const error = expectThrowCode(() => validateJob(job), 'E_INVALID_ARGUMENT');
      expect(error.message).toMatch(words);
    }
  });

  it('storage URLs: file:// must be absolute, s3:// names a bucket; joins never climb out', () => {
    expect(parseStorageUrl('s3://my-bucket/a/b%20c.wav')).toEqual({ scheme: 's3', bucket: 'my-bucket', key: 'a/b c.wav' });
    expect(parseStorageUrl('file:///mnt/a.wav')).toEqual({ scheme: 'file', path: '/mnt/a.wav' });
    expect(joinStorageUrl('s3://bkt/out', 'x/y.wav')).toBe('s3://bkt/out/x/y.wav');
    expect(joinStorageUrl('file:///out', 'x/y.wav')).toBe('file:///out/x/y.wav');
    expectThrowCode(() => joinStorageUrl('file:///out', '../etc/passwd'), 'E_INVALID_ARGUMENT');
    expect(toStorageUrl('/abs/a.wav')).toBe('file:///abs/a.wav');
    expectThrowCode(() => toStorageUrl('ftp://host/a.wav'), 'E_INVALID_ARGUMENT');
  });

  it('only errors worth another attempt are retried', () => {
    expect(isRetryable(new SluiceError('E_DECODE', 'garbage'))).toBe(false);
    expect(isRetryable(new SluiceError('E_MODEL', 'not downloaded'))).toBe(false);
    expect(isRetryable(new SluiceError('E_IO', 'S3 500'))).toBe(true);
    expect(isRetryable(new SluiceError('E_IO', 'S3 403', { details: { retryable: false } }))).toBe(false);
    expect(isRetryable(new SluiceError('E_WORKER', 'thread crashed'))).toBe(true);
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
  });
});

describe('job ids and catalogs', () => {
  it('an id hashes the content and the parameters, not the order of the fields', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sluice-ids-'));
    const [a, b] = await writeCatalog(folder, 2, 0.2);
    const storage = new Storage();
    const job = {
      kind: 'transcode',
      input: url(a as string),
      out: url(join(folder, 'a.mp3')),
      container: 'mp3',
      bitrateKbps: 128,
    } as const;
    const reordered = { bitrateKbps: 128, container: 'mp3', out: job.out, input: job.input, kind: 'transcode' } as const;
    const id = await jobIdOf(job, storage);
    expect(id).toMatch(/^transcode-[0-9a-f]{32}$/);
    expect(await jobIdOf(reordered, storage)).toBe(id);
    expect(await jobIdOf({ ...job, bitrateKbps: 192 }, storage)).not.toBe(id);
    await writeFile(a as string, await import('node:fs/promises').then((fs) => fs.readFile(b as string)));
    expect(await jobIdOf(job, storage)).not.toBe(id); // same name, new content: a new job
    await expectCode(jobIdOf({ ...job, input: url(join(folder, 'missing.wav')) }, storage), 'E_NOT_FOUND');
  });

  it('a catalog mirrors the folder, and refuses outputs on inputs or two inputs on one output', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sluice-plan-'));
    await writeCatalog(join(folder, 'in'), 12, 0.1);
    await writeFile(join(folder, 'in', 'notes.txt'), 'not audio');
    const storage = new Storage();
    const jobs = await planCatalog(
      { kind: 'transcode', inputs: url(join(folder, 'in')), out: url(join(folder, 'out')), container: 'flac' },
      storage,
    );
    expect(jobs).toHaveLength(12);
    expect(jobs[11]).toMatchObject({
      input: url(join(folder, 'in/disc-1/track-11.wav')),
      out: url(join(folder, 'out/disc-1/track-11.flac')),
    });
    const separate = await planCatalog({ kind: 'separate', inputs: url(join(folder, 'in')), out: url(join(folder, 'stems')) }, storage);
    expect(separate[0]).toMatchObject({ model: 'dsp', out: url(join(folder, 'stems/disc-0/track-00')) });
    await expectCode(
      planCatalog({ kind: 'transcode', inputs: url(join(folder, 'in')), out: url(join(folder, 'in')), container: 'wav' }, storage),
      'E_INVALID_ARGUMENT',
    );
    await writeFile(join(folder, 'in', 'disc-0', 'track-00.flac'), 'x');
    await expectCode(
      planCatalog({ kind: 'transcode', inputs: url(join(folder, 'in')), out: url(join(folder, 'out2')), container: 'mp3' }, storage),
      'E_INVALID_ARGUMENT',
    );
    await expectCode(planCatalog({ kind: 'speak', inputs: url(join(folder, 'out')), out: url(join(folder, 'x')) }, storage), 'E_NOT_FOUND');
  });
});
