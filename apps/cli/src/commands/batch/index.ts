import { parseArgs } from 'node:util';
import { BatchClient } from '@sluice/batch';
import { type Command, type CommandIo, UsageError } from '../../io';
import { CONNECTION_HELP, CONNECTION_OPTIONS, prefixOf, redisUrlOf } from './connection';
import { status } from './status';
import { submit } from './submit';

async function retryFailed(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CONNECTION_OPTIONS });
  const client = new BatchClient({ redis: redisUrlOf(values), ...prefixOf(values) });
  try {
    io.out(`${await client.retryFailed(positionals[0])} failed jobs queued again`);
    return 0;
  } finally {
    await client.close();
  }
}

async function cancel(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CONNECTION_OPTIONS });
  const [id] = positionals;
  if (id === undefined) throw new UsageError('give the id of the batch to cancel (sluice batch status --all lists them)');
  const client = new BatchClient({ redis: redisUrlOf(values), ...prefixOf(values) });
  try {
    const { removed, stopping } = await client.cancel(id);
    io.out(`cancelled ${id}: ${removed} waiting jobs removed, ${stopping} running jobs stopping`);
    return 0;
  } finally {
    await client.close();
  }
}

/** `sluice batch submit|status|retry-failed|cancel`: whole catalogs through the queue. */
export const batchCommand: Command = {
  name: 'batch',
  usage: `sluice batch submit DIR|LIST|s3://bucket/prefix/ --kind separate|transcode|speak|metrics --out URL [options]
sluice batch status [ID] [--watch] [--all] [--json]
sluice batch retry-failed [ID]
sluice batch cancel ID

submit: one job per audio file under DIR (or per line of LIST; .txt files for speak; track folders for metrics),
outputs mirroring DIR's layout under --out (a path, file:// on storage every worker sees, or s3://). Job ids hash
each input's content and the options, so submitting a catalog again queues only what is not done yet.
  separate:  [--dsp | --model NAME|FILE.onnx] [--stems vocals,drums] [--format wav] [--sample-format s16|s24|f32] [--segment S]
             writes OUT/<track>/<stem>.<format>
  transcode: --format F [--bitrate 192k] [--sample-rate N] [--channels N] [--sample-format …]; writes OUT/<track>.<format>
  speak:     [--voice V] [--rate X] [--format mp3] [--sample-rate N] [--captions vtt|srt]; writes OUT/<name>.<format>,
             <name>.words.json and captions
  metrics:   DIR of estimates (<track>/<stem>.wav) --references DIR (the same layout) [--bss]; writes OUT/<track>.json
  [--name N] [--attempts N] (default 3; an undecodable input or a missing model fails at once) [--json]
status: done, failed, running, waiting; aggregate × real time; ETA (the newest batch without ID). --watch redraws
until the batch finishes (exit 1 if any job failed).
${CONNECTION_HELP}`,
  async run(args, io, signal) {
    const [action, ...rest] = args;
    if (action === 'submit') return submit(rest, io);
    if (action === 'status') return status(rest, io, signal);
    if (action === 'retry-failed') return retryFailed(rest, io);
    if (action === 'cancel') return cancel(rest, io);
    throw new UsageError(action === undefined ? 'give submit, status, retry-failed or cancel' : `unknown batch action "${action}"`);
  },
};
