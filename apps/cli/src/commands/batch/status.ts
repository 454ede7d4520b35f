import { parseArgs } from 'node:util';
import { BatchClient, type BatchStatus } from '@sluice/batch';
import { progressBar, seconds } from '../../format';
import { type CommandIo, UsageError } from '../../io';
import { CONNECTION_OPTIONS, prefixOf, redisUrlOf } from './connection';

/** One line: bar, counts, speed and ETA. */
export function statusLine(status: BatchStatus): string {
  const eta = status.finished ? 'finished' : status.etaSeconds === undefined ? 'ETA unknown' : `ETA ${seconds(status.etaSeconds)}`;
  return `${progressBar(status.progress)} ${status.name}: ${status.done} done, ${status.failed} failed, ${status.running} running, ${status.waiting} waiting of ${status.total}; ${status.speed.toFixed(1)}× real time; ${eta}${status.cancelled ? ' (cancelled)' : ''}`;
}

function failureLines(status: BatchStatus): string[] {
  return status.failures.map((failure) => `  failed ${failure.input}: ${failure.code}: ${failure.message}`);
}

/** `sluice batch status [ID] [--watch] [--all] [--json]`. */
export async function status(args: string[], io: CommandIo, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, watch: { type: 'boolean' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (positionals.length > 1) throw new UsageError('give at most one batch id');
  if (values.all && (values.watch || positionals.length > 0)) throw new UsageError('--all lists every batch: no id, no --watch');
  const client = new BatchClient({ redis: redisUrlOf(values), ...prefixOf(values) });
  try {
    if (values.all) {
      const all = await client.list();
      if (values.json) io.out(JSON.stringify(all));
      else for (const batch of all) io.out(`${batch.id}  ${statusLine(batch)}`);
      return 0;
    }
    let current = await client.status(positionals[0]);
    let last = '';
    while (values.watch && !current.finished && !signal.aborted) {
      const line = statusLine(current);
      if (io.interactive) process.stdout.write(`\r${line}   `);
      else if (line !== last) io.out(line);
      last = line;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      current = await client.status(current.id);
    }
    if (io.interactive && values.watch) process.stdout.write('\n');
    if (values.json) io.out(JSON.stringify(current));
    else {
      io.out(statusLine(current));
      for (const line of failureLines(current)) io.out(line);
    }
    return values.watch && current.failed > 0 ? 1 : 0;
  } finally {
    await client.close();
  }
}
