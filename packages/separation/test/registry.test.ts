import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCode } from '@sluice/config/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileDigests } from '../src/registry/download';
import { MODEL_CATALOG, type RegistryModel, listModels, loadModel, pullModel, removeModel, separate } from '../src/index';
import { waveformModel } from './onnx-models';

// Issue 15, models by name: a local server on 127.0.0.1 serves generated files; no test reaches the internet.
const payload = randomBytes(1_500_000);
const otherPayload = randomBytes(1_500_000);
const sha256 = createHash('sha256').update(payload).digest('hex');
const onnxBytes = readFileSync(waveformModel(4410, [1, 2, 3, 4]));
let server: Server;
let base = '';
const requests: { path: string; range: string | undefined }[] = [];
const cutOnce = new Set<string>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const [, mode, name] = url.pathname.split('/');
    requests.push({ path: url.pathname, range: request.headers.range });
    const body = name === 'model.onnx' ? onnxBytes : mode === 'other' ? otherPayload : payload;
    if (mode === 'missing') {
      response.writeHead(404).end('not here');
      return;
    }
    if (mode === 'stall') {
      response.writeHead(200, { 'Content-Length': body.length });
      response.write(body.subarray(0, 100)); // then nothing, ever
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    if (range && mode !== 'norange') {
      const start = Number(range[1]);
      response.writeHead(206, {
        'Content-Length': body.length - start,
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
      response.end(body.subarray(start));
      return;
    }
    response.writeHead(200, { 'Content-Length': body.length });
    if (mode === 'cut' && !cutOnce.has(url.pathname)) {
      cutOnce.add(url.pathname);
      response.write(body.subarray(0, 600_000), () => response.socket?.destroy());
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function entry(name: string, file: Partial<RegistryModel['files'][number]> = {}): RegistryModel {
  return {
    name,
    description: 'test',
    licence: 'test',
    source: 'test',
    layout: { kind: 'htdemucs', contract: 'waveform' },
    files: [{ name: `${name}.bin`, urls: [], sha256, ...file }],
  };
}

const fresh = () => mkdtempSync(join(tmpdir(), 'sluice-models-'));

describe('sluice models: pull, verify, resume', () => {
  it('a full download lands under its final name, verified; a second pull downloads nothing', async () => {
    const directory = fresh();
    const catalog = [entry('a')];
    const [path] = await pullModel('a', { catalog, directory, baseUrl: `${base}/full` });
    expect(readFileSync(path as string).equals(payload)).toBe(true);
    expect(existsSync(`${path}.part`)).toBe(false);
    const before = requests.length;
    await pullModel('a', { catalog, directory, baseUrl: `${base}/full` });
    expect(requests.length).toBe(before);
    expect(listModels({ catalog, directory })[0]?.installed).toBe(true);
    await removeModel('a', { catalog, directory });
    expect(existsSync(path as string)).toBe(false);
  });

  it('a cut connection leaves a .part that the next pull resumes with a Range request', async () => {
    const directory = fresh();
    const catalog = [entry('b')];
    const progress: number[] = [];
    const failure = await pullModel('b', { catalog, directory, baseUrl: `${base}/cut` }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'E_IO' });
    expect(existsSync(join(directory, 'b.bin'))).toBe(false);
    const partial = readFileSync(join(directory, 'b.bin.part')).length;
    expect(partial).toBeGreaterThan(0);
    const [path] = await pullModel('b', {
      catalog,
      directory,
      baseUrl: `${base}/cut`,
      onProgress: (_file, p) => progress.push(p.received),
    });
    expect(requests.at(-1)?.range).toBe(`bytes=${partial}-`);
    expect(readFileSync(path as string).equals(payload)).toBe(true);
    expect(progress[0]).toBeGreaterThan(partial);
  });

  it('a server without Range support: the download starts again and is still right', async () => {
    const directory = fresh();
    writeFileSync(join(directory, 'c.bin.part'), payload.subarray(0, 1000));
    const [path] = await pullModel('c', { catalog: [entry('c')], directory, baseUrl: `${base}/norange` });
    expect(readFileSync(path as string).equals(payload)).toBe(true);
  });

  it('a wrong checksum is refused, the file removed, both hashes named', async () => {
    const directory = fresh();
    const wrong = '0'.repeat(64);
    const error = await expectCode(
      pullModel('d', { catalog: [entry('d', { sha256: wrong })], directory, baseUrl: `${base}/full` }),
      'E_MODEL',
    );
    expect(error.message).toContain(sha256);
    expect(error.message).toContain(wrong);
    expect(existsSync(join(directory, 'd.bin'))).toBe(false);
    expect(existsSync(join(directory, 'd.bin.part'))).toBe(false);
  });

  it('UVR hashes (MD5 of the last 10,000 KiB) are checked too', async () => {
    const directory = fresh();
    const [path] = await pullModel('e', { catalog: [entry('e')], directory, baseUrl: `${base}/full` });
    const { uvrHash } = await fileDigests(path as string);
    expect(uvrHash).toBe(createHash('md5').update(payload).digest('hex'));
    const other = fresh();
    await expectCode(
      pullModel('f', { catalog: [entry('f', { uvrHash: 'f'.repeat(32) })], directory: other, baseUrl: `${base}/full` }),
      'E_MODEL',
    );
  });

  it('404 and a stalled server are typed errors', async () => {
    const missing = await expectCode(pullModel('g', { catalog: [entry('g')], directory: fresh(), baseUrl: `${base}/missing` }), 'E_MODEL');
    expect(missing.message).toMatch(/HTTP 404/);
    const stalled = await expectCode(
      pullModel('h', { catalog: [entry('h')], directory: fresh(), baseUrl: `${base}/stall`, stallMs: 300 }),
      'E_TIMEOUT',
    );
    expect(stalled.message).toMatch(/resume/);
  });

  it('two pulls of one model at once make one download', async () => {
    const directory = fresh();
    const catalog = [entry('i')];
    const before = requests.filter((r) => r.path.endsWith('/i.bin')).length;
    await Promise.all([
      pullModel('i', { catalog, directory, baseUrl: `${base}/full` }),
      pullModel('i', { catalog, directory, baseUrl: `${base}/full` }),
    ]);
    expect(requests.filter((r) => r.path.endsWith('/i.bin')).length - before).toBe(1);
  });

  it('without a published hash, the first download records one and says so; later pulls are held to it', async () => {
    const directory = fresh();
    const catalog = [entry('j', { sha256: undefined })];
    const notes: string[] = [];
    const [path] = await pullModel('j', { catalog, directory, baseUrl: `${base}/full`, onNote: (note) => notes.push(note) });
    expect(notes[0]).toMatch(/no SHA-256 is published.*recorded/);
    expect(readFileSync(`${path}.sha256`, 'utf8').trim()).toBe(sha256);
    // The file goes, the recorded hash stays: a server now serving other bytes under that name is refused.
    rmSync(path as string);
    const error = await expectCode(pullModel('j', { catalog, directory, baseUrl: `${base}/other` }), 'E_MODEL');
    expect(error.message).toContain(sha256);
    await pullModel('j', { catalog, directory, baseUrl: `${base}/full` });
    expect(readFileSync(path as string).equals(payload)).toBe(true);
  });

  it('loadModel resolves names: not downloaded is E_MODEL with the command to run; --pull fetches and runs it', async () => {
    const directory = fresh();
    const catalog: RegistryModel[] = [
      { ...entry('tiny'), files: [{ name: 'model.onnx', urls: [], sha256: createHash('sha256').update(onnxBytes).digest('hex') }] },
    ];
    const error = await expectCode(loadModel('tiny', { catalog, directory }), 'E_MODEL');
    expect(error.message).toMatch(/sluice models pull tiny/);
    await expectCode(loadModel('no-such-model', { catalog, directory }), 'E_MODEL');
    const model = await loadModel('tiny', { catalog, directory, baseUrl: `${base}/full`, pull: true });
    try {
      const mix = [new Float32Array(5000).fill(0.1), new Float32Array(5000).fill(-0.1)];
      const { stems } = await separate(mix, { model, normalize: false });
      expect(Object.keys(stems)).toEqual(['drums', 'bass', 'other', 'vocals']);
    } finally {
      await model.close();
    }
  });
});

describe('the catalog', () => {
  it('has unique names, a source for every entry, and UVR hashes for every MDX-Net file', () => {
    const names = MODEL_CATALOG.map((model) => model.name);
    expect(new Set(names).size).toBe(names.length);
    for (const model of MODEL_CATALOG) {
      expect(model.source.length).toBeGreaterThan(10);
      expect(model.files.every((file) => file.urls.every((url) => url.startsWith('https://')))).toBe(true);
      if (model.layout.kind === 'mdx') expect(model.files.every((file) => /^[0-9a-f]{32}$/.test(file.uvrHash ?? ''))).toBe(true);
    }
    expect(listModels({ directory: fresh() }).every((model) => !model.installed)).toBe(true);
  });
});
