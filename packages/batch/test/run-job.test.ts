import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CollectSink, Pipeline, encodePcm } from '@sluice/core';
import { expectCode } from '@sluice/config/test-helpers';
import { toneWav } from '@sluice/test-servers/catalog';
import { S3Server } from '@sluice/test-servers/s3';
import { FileSource, probe, wavHeader } from '@sluice/writers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchJob, Storage, jobIdOf, runJob, runJobInThread } from '../src/index';

const folder = await mkdtemp(join(tmpdir(), 'sluice-run-'));
const url = (...parts: string[]) => pathToFileURL(join(folder, ...parts)).href;
const storage = new Storage();

async function decode(path: string): Promise<Float32Array[]> {
  const sink = new CollectSink();
  await new Pipeline({ source: await FileSource.open(path), sink }).wait();
  return sink.planes;
}

/** Every file under the folder, hidden ones included (a staging area left behind would show here). */
async function everything(under: string): Promise<string[]> {
  return (await readdir(under, { recursive: true })).sort();
}

beforeAll(async () => {
  await mkdir(join(folder, 'in'));
  await writeFile(join(folder, 'in', 'song.wav'), toneWav(3, 1));
  await writeFile(join(folder, 'in', 'long.wav'), toneWav(30, 2));
  await writeFile(join(folder, 'in', 'garbage.wav'), Buffer.from('RIFF this is not audio at all, just text'.repeat(50)));
  await writeFile(join(folder, 'in', 'words.txt'), 'Catalogs are spoken overnight. Each sentence is heard while the next is made.');
});

describe('runJob: one job, no queue', () => {
  it('transcodes, leaves a manifest, and a second run writes nothing', async () => {
    const job: BatchJob = {
      kind: 'transcode',
      input: url('in', 'song.wav'),
      out: url('out', 'song.mp3'),
      container: 'mp3',
      bitrateKbps: 128,
    };
    const jobId = await jobIdOf(job, storage);
    const first = await runJob(job, { jobId });
    expect(first.skipped).toBe(false);
    expect(first.outputs).toEqual([url('out', 'song.mp3'), url('out', '.song.mp3.sluice-done.json')]);
    const info = await probe(join(folder, 'out', 'song.mp3'));
    expect(info.codec).toMatch(/mp3|Layer 3/i);
    expect(info.durationSeconds).toBeCloseTo(3, 1);
    const manifest = JSON.parse(await readFile(join(folder, 'out', '.song.mp3.sluice-done.json'), 'utf8'));
    expect(manifest).toMatchObject({ jobId, outputs: [url('out', 'song.mp3')] });
    expect(manifest.audioSeconds).toBeCloseTo(3, 2);
    const written = (await stat(join(folder, 'out', 'song.mp3'))).mtimeMs;
    const second = await runJob(job, { jobId });
    expect(second.skipped).toBe(true);
    expect((await stat(join(folder, 'out', 'song.mp3'))).mtimeMs).toBe(written);
    expect(await everything(join(folder, 'out'))).toEqual(['.song.mp3.sluice-done.json', 'song.mp3']);
  });

  it("sweeps the staging area a crashed run of the same job left, and never another job's", async () => {
    const job: BatchJob = { kind: 'transcode', input: url('in', 'song.wav'), out: url('crash', 'song.flac') };
    const jobId = await jobIdOf(job, storage);
    await mkdir(join(folder, 'crash', `.sluice-${jobId}.dead0001.part`), { recursive: true });
    await writeFile(join(folder, 'crash', `.sluice-${jobId}.dead0001.part`, 'song.flac'), 'half a file');
    await mkdir(join(folder, 'crash', '.sluice-transcode-other.beef.part'), { recursive: true });
    await runJob(job, { jobId });
    expect(await everything(join(folder, 'crash'))).toEqual([
      '.sluice-transcode-other.beef.part',
      '.song.flac.sluice-done.json',
      'song.flac',
    ]);
    const [left] = await decode(join(folder, 'crash', 'song.flac'));
    const [original] = await decode(join(folder, 'in', 'song.wav'));
    expect(left).toEqual(original); // FLAC: bit-exact
  });

  it('an input that cannot be decoded fails with E_DECODE and leaves nothing', async () => {
    const job: BatchJob = { kind: 'transcode', input: url('in', 'garbage.wav'), out: url('bad', 'garbage.mp3') };
    await expectCode(runJob(job, { jobId: await jobIdOf(job, storage) }), 'E_DECODE');
    expect(await everything(join(folder, 'bad'))).toEqual([]);
  });

  it('never writes over an input: the same path, a symlink to it, or a stem named like the track', async () => {
    await mkdir(join(folder, 'guard'), { recursive: true });
    await writeFile(join(folder, 'guard', 'vocals.wav'), toneWav(1, 6));
    await symlink(join(folder, 'guard', 'vocals.wav'), join(folder, 'guard', 'alias.wav'));
    const before = await readFile(join(folder, 'guard', 'vocals.wav'));
    const same: BatchJob = { kind: 'transcode', input: url('guard', 'vocals.wav'), out: url('guard', 'vocals.wav') };
    await expectCode(runJob(same, { jobId: await jobIdOf(same, storage) }), 'E_INVALID_ARGUMENT');
    const alias: BatchJob = { kind: 'transcode', input: url('guard', 'vocals.wav'), out: url('guard', 'alias.wav') };
    await expectCode(runJob(alias, { jobId: await jobIdOf(alias, storage) }), 'E_INVALID_ARGUMENT');
    // The stems go to the track's own folder: its vocals.wav would land on the input.
    const stems: BatchJob = { kind: 'separate', input: url('guard', 'vocals.wav'), out: url('guard'), model: 'dsp' };
    await expectCode(runJob(stems, { jobId: await jobIdOf(stems, storage) }), 'E_INVALID_ARGUMENT');
    expect(await readFile(join(folder, 'guard', 'vocals.wav'))).toEqual(before);
    expect(await everything(join(folder, 'guard'))).toEqual(['alias.wav', 'vocals.wav']);
  });

  it('separates (DSP) into f32 stems that sum to the input', async () => {
    const job: BatchJob = {
      kind: 'separate',
      input: url('in', 'song.wav'),
      out: url('stems', 'song'),
      model: 'dsp',
      sampleFormat: 'f32le',
    };
    const result = await runJob(job, { jobId: await jobIdOf(job, storage) });
    expect(result.outputs.map((output) => output.split('/').pop())).toEqual([
      'drums.wav',
      'bass.wav',
      'other.wav',
      'vocals.wav',
      '.sluice-done.json',
    ]);
    const stems = await Promise.all(
      ['drums', 'bass', 'other', 'vocals'].map((stem) => decode(join(folder, 'stems', 'song', `${stem}.wav`))),
    );
    const mix = await decode(join(folder, 'in', 'song.wav'));
    let worst = 0;
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < (mix[c] as Float32Array).length; i++) {
        const sum = stems.reduce((total, planes) => total + (planes[c] as Float32Array)[i]!, 0);
        worst = Math.max(worst, Math.abs(sum - (mix[c] as Float32Array)[i]!));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('speaks a text file into audio, word timings and captions', async () => {
    const job: BatchJob = { kind: 'speak', input: url('in', 'words.txt'), out: url('speech', 'words.mp3'), captions: 'vtt' };
    const result = await runJob(job, { jobId: await jobIdOf(job, storage) });
    expect(await everything(join(folder, 'speech'))).toEqual(['.words.mp3.sluice-done.json', 'words.mp3', 'words.vtt', 'words.words.json']);
    const info = await probe(join(folder, 'speech', 'words.mp3'));
    expect(info.durationSeconds).toBeGreaterThan(3);
    expect(Math.abs(info.durationSeconds - result.audioSeconds)).toBeLessThan(0.15);
    const words = JSON.parse(await readFile(join(folder, 'speech', 'words.words.json'), 'utf8')) as Array<{
      text: string;
      startSeconds: number;
    }>;
    expect(words.map((word) => word.text).slice(0, 3)).toEqual(['Catalogs', 'are', 'spoken']);
    expect(await readFile(join(folder, 'speech', 'words.vtt'), 'utf8')).toMatch(/^WEBVTT\n/);
  });

  it('scores estimates against references into JSON', async () => {
    const [reference] = [await decode(join(folder, 'in', 'song.wav'))];
    const noisy = (reference as Float32Array[]).map((plane) => plane.map((value, i) => value + 0.01 * Math.sin(i * 1.7)));
    const data = encodePcm(noisy, 'f32le');
    const header = wavHeader({ sampleRate: 44100, channels: 2, sampleFormat: 'f32le' }, { dataBytes: data.length });
    await writeFile(join(folder, 'in', 'estimate.wav'), Buffer.concat([header, data]));
    const job: BatchJob = {
      kind: 'metrics',
      estimates: { mix: url('in', 'estimate.wav') },
      references: { mix: url('in', 'song.wav') },
      out: url('scores', 'song.json'),
    };
    await runJob(job, { jobId: await jobIdOf(job, storage) });
    const report = JSON.parse(await readFile(join(folder, 'scores', 'song.json'), 'utf8'));
    expect(report.stems.mix.siSdr).toBeGreaterThan(20);
    expect(report.stems.mix.siSdr).toBeLessThan(40);
  });

  it('in a thread: the same result, progress reported, and a stop leaves nothing under the final names', async () => {
    const job: BatchJob = { kind: 'separate', input: url('in', 'long.wav'), out: url('stopped', 'long'), model: 'dsp' };
    const stop = new AbortController();
    const fractions: number[] = [];
    const running = runJobInThread(job, {
      jobId: await jobIdOf(job, storage),
      signal: stop.signal,
      onProgress: (fraction) => {
        fractions.push(fraction);
        stop.abort();
      },
    });
    await expectCode(running, 'E_ABORTED');
    expect(fractions.length).toBeGreaterThan(0);
    expect(existsSync(join(folder, 'stopped', 'long')) ? await everything(join(folder, 'stopped', 'long')) : []).toEqual([]);
    const transcode: BatchJob = {
      kind: 'transcode',
      input: url('in', 'song.wav'),
      out: url('thread', 'song.wav'),
      sampleRate: 16000,
      channels: 1,
    };
    const result = await runJobInThread(transcode, { jobId: await jobIdOf(transcode, storage) });
    expect(result.audioSeconds).toBeCloseTo(3, 2);
    const info = await probe(join(folder, 'thread', 'song.wav'));
    expect([info.sampleRate, info.channels]).toEqual([16000, 1]);
  });
});

describe('s3:// storage, through @aws-sdk/client-s3 against a local S3-compatible server', () => {
  let s3: S3Server;
  let store: Storage;
  beforeAll(async () => {
    s3 = await S3Server.start(['catalog']);
    s3.put('catalog', 'in/a.wav', toneWav(2, 3));
    s3.put('catalog', 'in/b.wav', toneWav(2, 4));
    s3.put('catalog', 'in/.hidden.wav', toneWav(1, 4));
    store = new Storage({ s3: { endpoint: s3.endpoint } });
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  });
  afterAll(async () => {
    store.close();
    await s3.close();
  });

  it('lists a prefix, reads an object, writes each output with one PUT and the manifest last', async () => {
    expect(await store.for('s3://catalog/in/').list('s3://catalog/in/')).toEqual(['s3://catalog/in/a.wav', 's3://catalog/in/b.wav']);
    const job: BatchJob = { kind: 'transcode', input: 's3://catalog/in/a.wav', out: 's3://catalog/out/a.flac' };
    const jobId = await jobIdOf(job, store);
    const result = await runJob(job, { jobId, storage: { s3: { endpoint: s3.endpoint } } });
    expect(result.outputs).toEqual(['s3://catalog/out/a.flac', 's3://catalog/out/.a.flac.sluice-done.json']);
    const puts = s3.requests.filter((request) => request.method === 'PUT').map((request) => request.key);
    expect(puts).toEqual(['out/a.flac', 'out/.a.flac.sluice-done.json']);
    await writeFile(join(folder, 'from-s3.flac'), s3.object('catalog', 'out/a.flac') as Buffer);
    expect((await probe(join(folder, 'from-s3.flac'))).durationSeconds).toBeCloseTo(2, 2);
    const again = await runJob(job, { jobId, storage: { s3: { endpoint: s3.endpoint } } });
    expect(again.skipped).toBe(true);
    expect(s3.requests.filter((request) => request.method === 'PUT')).toHaveLength(2);
  });

  it('a missing object is E_NOT_FOUND; a store that keeps failing is E_IO, which is retried', async () => {
    const job: BatchJob = { kind: 'transcode', input: 's3://catalog/in/none.wav', out: 's3://catalog/out/none.mp3' };
    await expectCode(runJob(job, { jobId: 'transcode-0', storage: { s3: { endpoint: s3.endpoint } } }), 'E_NOT_FOUND');
    s3.failNext(100);
    const failing: BatchJob = { kind: 'transcode', input: 's3://catalog/in/b.wav', out: 's3://catalog/out/b.mp3' };
    const error = await expectCode(runJob(failing, { jobId: 'transcode-1', storage: { s3: { endpoint: s3.endpoint } } }), 'E_IO');
    expect(error.message).toMatch(/InternalError/);
    s3.failNext(0);
    expect(s3.keys('catalog').filter((key) => key.startsWith('out/b'))).toEqual([]);
  });
});
