import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BatchClient } from '@sluice/batch';
import { SluiceError } from '@sluice/core';

/** The upload a queued separation reads and the folder its stems go to. */
interface QueuedUpload {
  readonly id: string;
  readonly input: string;
  readonly directory: string;
  readonly model: string;
}

/** How a queued separation ended, as the job store records it. */
export type QueuedOutcome =
  | { status: 'done'; progress: 1; speed: number; stems: string[] }
  | { status: 'failed'; error: { code: string; message: string } };

/**
 * Separates an upload through the batch queue: one `separate` job (its own
 * batch, named after the upload) that any `sluice worker` with the server's
 * data folder mounted at the same path can take, the server's embedded
 * worker included. Progress comes from the batch's status, polled; at
 * shutdown the batch is cancelled.
 */
export async function runQueued(
  client: BatchClient,
  upload: QueuedUpload,
  shutdown: AbortSignal,
  onProgress: (changes: { progress: number; speed?: number }) => void,
): Promise<QueuedOutcome> {
  const stems = join(upload.directory, 'stems');
  try {
    const { batchId } = await client.submit(
      [
        {
          kind: 'separate',
          input: pathToFileURL(upload.input).href,
          out: pathToFileURL(stems).href,
          model: upload.model,
          sampleFormat: 'f32le',
        },
      ],
      { name: `upload ${upload.id}` },
    );
    for (;;) {
      const status = await client.status(batchId);
      if (status.finished) {
        const failure = status.failures[0];
        if (failure !== undefined) return { status: 'failed', error: { code: failure.code, message: failure.message } };
        const names = (await readdir(stems)).filter((name) => name.endsWith('.wav')).map((name) => name.slice(0, -4));
        const order = ['drums', 'bass', 'other', 'vocals'];
        names.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
        return { status: 'done', progress: 1, speed: status.speed, stems: names };
      }
      onProgress({ progress: Math.min(0.99, status.progress), ...(status.speed > 0 ? { speed: status.speed } : {}) });
      if (shutdown.aborted) {
        await client.cancel(batchId).catch(() => undefined);
        throw SluiceError.wrap(shutdown.reason, 'E_ABORTED', 'the server is shutting down');
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    const code = SluiceError.isInstance(error) ? error.code : 'E_INTERNAL';
    return { status: 'failed', error: { code, message: SluiceError.isInstance(error) ? error.message : 'internal error' } };
  }
}
