import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CallbackSource, Pipeline } from '@sluice/core';
import { FileSink } from '@sluice/writers';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode, scratch, useServer } from './helpers';

const { url, server } = useServer({ limits: { uploadBytes: 2 * 1024 * 1024 } });
const song = join(scratch, 'song.wav');

beforeAll(async () => {
  // Two seconds: a bass note, a centred tone, and clicks, in stereo.
  const frames = 2 * 44100;
  const left = new Float32Array(frames);
  for (let i = 0; i < frames; i++)
    left[i] =
      0.3 * Math.sin((2 * Math.PI * 82 * i) / 44100) + 0.2 * Math.sin((2 * Math.PI * 440 * i) / 44100) + (i % 11025 < 200 ? 0.3 : 0);
  await new Pipeline({
    source: new CallbackSource([[left, left.slice()]], { sampleRate: 44100, channels: 2 }),
    sink: new FileSink(song),
  }).wait();
});

async function upload(bytes: Uint8Array, name: string): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)]), name);
  return fetch(`${url()}/v1/audio/separations`, { method: 'POST', body: form });
}

/** Reads Server-Sent Events until the stream ends. */
async function events(path: string): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await (await fetch(`${url()}${path}`)).text();
  return text
    .trim()
    .split('\n\n')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}');
      return { event, data };
    });
}

describe('POST /v1/audio/separations', () => {
  it('streams the upload to disk, separates it with progress as SSE, and serves every stem in any format', async () => {
    const response = await upload(await readFile(song), 'my song.wav');
    expect(response.status).toBe(202);
    const job = await response.json();
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
    const stream = await events(job.events);
    expect(stream.at(-1)?.event).toBe('done');
    expect(stream.at(-1)?.data).toMatchObject({ status: 'done', progress: 1, stems: ['drums', 'bass', 'other', 'vocals'] });
    const whole = await fetch(`${url()}/v1/audio/separations/${job.id}/stems/bass`);
    const wav = new Uint8Array(await whole.arrayBuffer());
    expect(Number(whole.headers.get('content-length'))).toBe(wav.length);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const bass = await decode(wav, 'bass.wav');
    expect(bass[0]?.length).toBe(2 * 44100);
    // Players seek with Range requests: 206 with exactly the bytes asked for.
    const part = await fetch(`${url()}/v1/audio/separations/${job.id}/stems/bass`, { headers: { Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${wav.length}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(wav.subarray(1000, 2000));
    const mp3 = await fetch(`${url()}/v1/audio/separations/${job.id}/stems/vocals?format=mp3`);
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    const vocals = await decode(new Uint8Array(await mp3.arrayBuffer()), 'vocals.mp3', { sampleRate: 44100 });
    expect(Math.abs((vocals[0]?.length ?? 0) - 2 * 44100)).toBeLessThan(3000);
    expect(await (await fetch(`${url()}/v1/audio/separations/${job.id}`)).json()).toMatchObject({ status: 'done' });
    // The stems are stored as 32-bit float WAV, and sum to the upload as it decodes.
    const input = await decode(new Uint8Array(await readFile(song)), 'song.wav');
    const stems = await Promise.all(
      ['drums', 'bass', 'other', 'vocals'].map(async (stem) =>
        decode(new Uint8Array(await (await fetch(`${url()}/v1/audio/separations/${job.id}/stems/${stem}`)).arrayBuffer()), `${stem}.wav`),
      ),
    );
    let worst = 0;
    input.forEach((plane, c) => {
      for (let i = 0; i < plane.length; i++) {
        const sum = stems.reduce((total, stem) => total + (stem[c]?.[i] as number), 0);
        worst = Math.max(worst, Math.abs(sum - (plane[i] as number)));
      }
    });
    expect(worst).toBeLessThan(1e-5);
    // Only the job's own folder was written.
    expect(existsSync(join(server().context.jobs.root, job.id, 'input.wav'))).toBe(true);
  });

  it('refuses an upload over the size limit with 413 and leaves nothing behind', async () => {
    const response = await upload(new Uint8Array(3 * 1024 * 1024), 'big.wav');
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('E_CHUNK_TOO_LARGE');
  });

  it('refuses a file that is not audio with E_DECODE', async () => {
    const response = await upload(new TextEncoder().encode('this is a text file, not a song'.repeat(50)), 'notes.mp3');
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('E_DECODE');
  });

  it('ignores path tricks in names: the upload stays in its job folder, odd ids and stems are 404', async () => {
    const response = await upload(await readFile(song), '../../../../tmp/escaped.wav');
    const job = await response.json();
    expect(existsSync('/tmp/escaped.wav')).toBe(false);
    await events(job.events);
    for (const path of [
      `/v1/audio/separations/..%2F..%2Fetc`,
      `/v1/audio/separations/${job.id}/stems/..%2F..%2Finput`,
      `/v1/audio/separations/${job.id}/stems/piano`,
    ]) {
      const reply = await fetch(`${url()}${path}`);
      expect(reply.status).toBe(404);
      expect((await reply.json()).error).toBeDefined();
    }
    const form = new FormData();
    form.append('note', 'no file here');
    const noFile = await fetch(`${url()}/v1/audio/separations`, { method: 'POST', body: form });
    expect(noFile.status).toBe(400);
    const notMultipart = await fetch(`${url()}/v1/audio/separations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart.status).toBe(400);
    await writeFile(join(scratch, 'unused'), '');
  });
});
