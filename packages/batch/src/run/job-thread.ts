// A job thread: runs batch jobs one after another, so the worker's main thread stays free to renew each job's lock
// in Redis. Kept between jobs: loading the audio packages costs ~200 ms, which a fresh thread per job would pay.
import { parentPort } from 'node:worker_threads';
import { SluiceError } from '@sluice/core';
import { runJob } from './run-job';
import type { JobThreadMessage, JobThreadRequest, JobThreadRun } from './thread-protocol';

const port = parentPort;
if (port === null) throw new Error('job-thread runs as a worker thread');
const post = (message: JobThreadMessage) => port.postMessage(message);
let current: AbortController | undefined;

async function run(request: JobThreadRun): Promise<void> {
  const stop = new AbortController();
  current = stop;
  try {
    const result = await runJob(request.job, {
      jobId: request.jobId,
      storage: request.storage,
      threads: request.threads,
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
  } finally {
    current = undefined;
  }
}

port.on('message', (message: JobThreadRequest) => {
  if (message.type === 'abort') current?.abort(new SluiceError('E_ABORTED', message.reason));
  else void run(message);
});
