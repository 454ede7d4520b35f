import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toneWav } from '@sluice/test-servers/catalog';
import { redisMissing } from '@sluice/test-servers/redis';
import { describe, expect, it, vi } from 'vitest';
import { decode, useQueueServer } from './helpers';

if (redisMissing) console.warn(`server batch-queue test skipped: ${redisMissing}`);

// Issue 18: with a queue, the server's separations are batch jobs (BullMQ on a real redis-server), taken by its
// embedded worker; the HTTP API and the stems are the same as without one, and /v1/batches shows the batch.
describe.skipIf(redisMissing !== undefined)('separations through the batch queue (REDIS_URL)', () => {
  const { server, url, redis } = useQueueServer();

  /** Uploads a song and follows its events to the end: the job as accepted, and its last event. */
  async function separate(song: Uint8Array): Promise<{ job: { id: string }; last: { status: string; stems: string[] } }> {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(song)]), 'song.wav');
    const response = await fetch(`${url()}/v1/audio/separations`, { method: 'POST', body: form });
    expect(response.status).toBe(202);
    const job = await response.json();
    const text = await (await fetch(`${url()}${job.events}`)).text();
    return { job, last: JSON.parse(/data: (.*)\n\n$/.exec(text)?.[1] ?? '{}') };
  }

  it('an upload is separated by a queue worker: same events and stems, summing to the upload, and a batch listed', async () => {
    const song = toneWav(3, 4);
    const { job, last } = await separate(song);
    expect(last).toMatchObject({ status: 'done', progress: 1, stems: ['drums', 'bass', 'other', 'vocals'] });
    const input = await decode(song, 'queued-song.wav');
    const stems = await Promise.all(
      last.stems.map(async (stem: string) =>
        decode(
          new Uint8Array(await (await fetch(`${url()}/v1/audio/separations/${job.id}/stems/${stem}`)).arrayBuffer()),
          `queued-${stem}.wav`,
        ),
      ),
    );
    let worst = 0;
    input.forEach((plane, c) => {
      for (let i = 0; i < plane.length; i++) {
        const sum = stems.reduce((total: number, stem: Float32Array[]) => total + (stem[c]?.[i] as number), 0);
        worst = Math.max(worst, Math.abs(sum - (plane[i] as number)));
      }
    });
    expect(worst).toBeLessThan(1e-5);
    const { enabled, batches } = await (await fetch(`${url()}/v1/batches`)).json();
    expect(enabled).toBe(true);
    expect(batches[0]).toMatchObject({ name: `upload ${job.id}`, total: 1, done: 1, failed: 0, progress: 1, finished: true });
    // The manifest proves the job ran through the queue's runner, not the in-process path.
    const manifest = JSON.parse(await readFile(join(server().context.jobs.root, job.id, 'stems', '.sluice-done.json'), 'utf8'));
    expect(manifest.jobId).toMatch(/^separate-/);
  });

  it('Redis restarted under the server: it keeps answering, and the next upload goes through the queue', async () => {
    // The embedded worker and the client's queues report the lost connection as 'error' events; unheard, BullMQ
    // printed each one to the console. The server's log hears the worker's now (off in this test).
    const printed = vi.spyOn(console, 'error');
    try {
      await redis().restart(300);
      expect((await fetch(`${url()}/healthz`)).status).toBe(200);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
    expect((await separate(toneWav(1, 5))).last).toMatchObject({ status: 'done', stems: ['drums', 'bass', 'other', 'vocals'] });
  });

  it('a non-audio upload is still refused at once with E_DECODE', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('not audio at all '.repeat(40))]), 'notes.mp3');
    const response = await fetch(`${url()}/v1/audio/separations`, { method: 'POST', body: form });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('E_DECODE');
  });
});
