import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackSource, Pipeline } from '@sluice/core';
import { FileSink } from '@sluice/writers';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratch, useServer } from './helpers';

// Issue 15: the separation form lets the user pick an installed model (never downloaded by the server).
const directory = mkdtempSync(join(tmpdir(), 'sluice-server-models-'));
writeFileSync(join(directory, 'installed.onnx'), 'not really a model');
const entry = (name: string, file: string) => ({
  name,
  description: `${name} (test)`,
  licence: 'test',
  source: 'test',
  layout: { kind: 'htdemucs', contract: 'waveform' } as const,
  files: [{ name: file, urls: [] }],
});
const { url } = useServer({ models: { directory, catalog: [entry('installed', 'installed.onnx'), entry('absent', 'absent.onnx')] } });
const song = join(scratch, 'models-song.wav');

beforeAll(async () => {
  const left = Float32Array.from({ length: 44100 }, (_, i) => 0.3 * Math.sin(i / 20));
  await new Pipeline({ source: new CallbackSource([[left, left]], { sampleRate: 44100, channels: 2 }), sink: new FileSink(song) }).wait();
});

async function upload(model?: string): Promise<Response> {
  const form = new FormData();
  if (model !== undefined) form.append('model', model);
  form.append('file', new Blob([await readFile(song)]), 'song.wav');
  return fetch(`${url()}/v1/audio/separations`, { method: 'POST', body: form });
}

describe('separation models', () => {
  it('lists the DSP separator and the installed models only', async () => {
    const { models } = await (await fetch(`${url()}/v1/audio/separations/models`)).json();
    expect(models.map((model: { name: string }) => model.name)).toEqual(['dsp', 'installed']);
  });

  it('runs the one picked; a model that is not installed (or unknown) is a 400', async () => {
    const dsp = await upload('dsp');
    expect(dsp.status).toBe(202);
    expect((await dsp.json()).model).toBe('dsp');
    for (const name of ['absent', 'toString', 'nope']) {
      const refused = await upload(name);
      expect(refused.status).toBe(400);
      expect((await refused.json()).error.message).toMatch(/model must be one of dsp, installed/);
    }
    // A broken installed file fails its job with the model's error code, not the server.
    const broken = await upload('installed');
    expect(broken.status).toBe(202);
    const job = await broken.json();
    const events = await (await fetch(`${url()}${job.events}`)).text();
    expect(events).toMatch(/event: error/);
    expect(events).toMatch(/"code":"E_MODEL"/);
  });
});
