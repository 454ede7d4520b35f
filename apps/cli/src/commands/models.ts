import { parseArgs } from 'node:util';
import { type DownloadProgress, listModels, modelPaths, modelsDirectory, pullModel, removeModel } from '@sluice/separation';
import { progressBar } from '../format';
import { type Command, type CommandIo, UsageError } from '../io';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A progress line: bar, bytes, speed and time left. */
function progressLine(file: string, progress: DownloadProgress): string {
  const fraction = progress.total ? progress.received / progress.total : 0;
  const eta = Number.isFinite(progress.etaSeconds) ? `, ${Math.ceil(progress.etaSeconds)} s left` : '';
  return `${progressBar(fraction)} ${file}: ${megabytes(progress.received)}${progress.total ? ` of ${megabytes(progress.total)}` : ''} at ${megabytes(progress.bytesPerSecond)}/s${eta}`;
}

/** Pulls with a progress bar on a terminal (a line at most every 200 ms), a summary otherwise. */
export async function pullWithProgress(name: string, io: CommandIo, signal: AbortSignal): Promise<string[]> {
  let last = 0;
  const paths = await pullModel(name, {
    signal,
    onNote: (note) => io.err(note),
    onProgress: (file, progress) => {
      if (!io.interactive || Date.now() - last < 200) return;
      last = Date.now();
      process.stderr.write(`\r${progressLine(file, progress)}   `);
    },
  });
  if (io.interactive) process.stderr.write('\n');
  return paths;
}

/** `sluice models list|pull|path|rm`: published separation models by name. */
export const modelsCommand: Command = {
  name: 'models',
  usage: `sluice models list [--json]
sluice models pull NAME
sluice models path NAME
sluice models rm NAME

Models are cached in $SLUICE_MODELS_DIR, else $XDG_CACHE_HOME/sluice/models (~/.cache/sluice/models);
SLUICE_MODELS_URL points pulls at a mirror holding the files by name. Downloads resume where a cut
one stopped, are checked against the published SHA-256 or UVR hash (or, where none is published,
the one recorded at the first download), and appear under their final name only when complete.`,
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
    const [action, name, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`one model at a time, got also ${extra.join(' ')}`);
    if (action === 'list') {
      const models = listModels();
      if (values.json) {
        io.out(JSON.stringify(models));
        return 0;
      }
      io.out(`cache: ${modelsDirectory()}`);
      for (const model of models) io.out(`${model.installed ? '*' : ' '} ${model.name.padEnd(24)} ${model.description}`);
      return 0;
    }
    if (action !== 'pull' && action !== 'path' && action !== 'rm') throw new UsageError('give list, pull NAME, path NAME or rm NAME');
    if (name === undefined) throw new UsageError(`give the model's name (sluice models list shows them)`);
    if (action === 'path') {
      for (const path of modelPaths(name)) io.out(path);
      return 0;
    }
    if (action === 'rm') {
      for (const path of await removeModel(name)) io.err(`removed ${path}`);
      return 0;
    }
    const paths = await pullWithProgress(name, io, signal);
    for (const path of paths) io.out(path);
    return 0;
  },
};
