// A job thread: runs one batch job, so the worker's main thread stays free to renew the job's lock in Redis.
import { parentPort, workerData } from 'node:worker_threads';
import { SluiceError } from '@sluice/core';
import { runJob } from './run-job';
import type { JobThreadAbort, JobThreadData, JobThreadMessage } from './thread-protocol';

const port = parentPort;
if (port === null) throw new Error('job-thread runs as a worker thread');
const data = workerData as JobThreadData;
const stop = new AbortController();
const post = (message: JobThreadMessage) => port.postMessage(message);
port.on('message', (message: JobThreadAbort) => {
  if (message.type === 'abort') stop.abort(new SluiceError('E_ABORTED', 'the job was stopped'));
});

async function main(): Promise<void> {
  try {
    const result = await runJob(data.job, {
      jobId: data.jobId,
      storage: data.storage,
      threads: data.threads,
      signal: stop.signal,
      onProgress: (fraction) => post({ type: 'progress', fraction }),
      onWrite: (url) => post({ type: 'write', url }),
    });
    post({ type: 'done', result });
  } catch (error) {
    const failure = SluiceError.isInstance(error) ? error : SluiceError.wrap(error, 'E_INTERNAL', 'the job failed');
    post({
      type: 'error',
      error: {
        code: failure.code,
        message: failure.message,
        ...(failure.details === undefined ? {} : { details: { ...failure.details } }),
      },
    });
  }
}

// No top-level await: the build also emits a CommonJS twin of this file.
void main().finally(() => port.close());
