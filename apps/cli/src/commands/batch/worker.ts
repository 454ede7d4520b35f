import { parseArgs } from 'node:util';
import { BatchWorker, JOB_KINDS, type JobKind } from '@sluice/batch';
import { type Command, UsageError } from '../../io';
import { parsePositiveInteger, parsePositiveNumber } from '../../options';
import { CONNECTION_HELP, CONNECTION_OPTIONS, prefixOf, redisUrlOf, storageOf } from './connection';

function kindsOf(text: string | undefined): JobKind[] | undefined {
  if (text === undefined) return undefined;
  const kinds = text.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(JOB_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0 || kinds.length === 0) throw new UsageError(`--kinds takes some of ${JOB_KINDS.join(',')}, got "${text}"`);
  return kinds as JobKind[];
}

/** `sluice worker`: takes batch jobs from Redis until stopped; SIGTERM drains. */
export const workerCommand: Command = {
  name: 'worker',
  usage: `sluice worker [--redis URL] [--kinds separate,transcode,speak,metrics] [--concurrency N] [--threads N]
              [--lock-ms N] [--drain-timeout SECONDS] [--prefix P] [--s3-endpoint URL] [--s3-region R]

Runs batch jobs (sluice batch submit) until stopped; start as many as you like, on as many machines.
--concurrency N  jobs of each kind at once (default 1); --threads N  threads per separation (default 1)
--lock-ms N      a job's lock (default 30000, at least 1000): a worker that dies has its job taken over after this long
SIGTERM or Ctrl-C drains: no new jobs, the running ones finish (after --drain-timeout, default 60 s, they are
handed back to the queue), then the worker exits 0. A second signal stops at once (the job is taken over later).
Prints one line per event: started, wrote, done, failed, handed-back.
${CONNECTION_HELP}`,
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...CONNECTION_OPTIONS,
        kinds: { type: 'string' },
        concurrency: { type: 'string' },
        threads: { type: 'string' },
        'lock-ms': { type: 'string' },
        'drain-timeout': { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`sluice worker takes no arguments, got ${positionals.join(' ')}`);
    const kinds = kindsOf(values.kinds);
    const concurrency = parsePositiveInteger(values.concurrency, 'concurrency');
    const threads = parsePositiveInteger(values.threads, 'threads');
    const lockMs = parsePositiveInteger(values['lock-ms'], 'lock-ms');
    const drain = parsePositiveNumber(values['drain-timeout'], 'drain-timeout');
    const worker = new BatchWorker({
      redis: redisUrlOf(values),
      storage: storageOf(values),
      ...prefixOf(values),
      ...(kinds === undefined ? {} : { kinds }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(threads === undefined ? {} : { threads }),
      ...(lockMs === undefined ? {} : { lockMs }),
      ...(drain === undefined ? {} : { drainTimeoutMs: Math.round(drain * 1000) }),
    });
    worker.on('started', ({ jobId, attempt }) => io.out(`started ${jobId} attempt ${attempt}`));
    worker.on('wrote', ({ url }) => io.out(`wrote ${url}`));
    worker.on('completed', ({ jobId, result }) =>
      io.out(
        result.skipped
          ? `done ${jobId} (already done: nothing written)`
          : `done ${jobId} ${result.audioSeconds.toFixed(1)} s of audio in ${result.processingSeconds.toFixed(2)} s`,
      ),
    );
    worker.on('failed', ({ jobId, code, message, retrying }) =>
      io.out(`failed ${jobId} ${code}: ${message}${retrying ? ' (will retry)' : ''}`),
    );
    worker.on('handedBack', ({ jobId }) => io.out(`handed-back ${jobId}`));
    // While Redis is away every connection attempt fails the same way: say so once per 10 s, not once per attempt.
    let lastError = '';
    let lastErrorAt = 0;
    worker.on('error', (error) => {
      const now = Date.now();
      if (error.message === lastError && now - lastErrorAt < 10_000) return;
      lastError = error.message;
      lastErrorAt = now;
      io.err(`sluice worker: ${error.message} (reconnecting)`);
    });
    await worker.start();
    io.err(`sluice worker: ready (pid ${process.pid}; ${(kinds ?? JOB_KINDS).join(', ')}; concurrency ${concurrency ?? 1})`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    io.err('sluice worker: draining (running jobs finish, no new ones)');
    await worker.drain();
    io.err('sluice worker: stopped');
    return 0;
  },
};
