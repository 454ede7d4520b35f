import { type Stats, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { SluiceError } from '@sluice/core';

/**
 * Files this process is reading right now, by device and inode, so that no
 * sink writes over a file a source is still reading (`sluice transcode a.mp3
 * a.mp3`, `separate vocals.wav --out .`), whatever path spells it: `../`, a
 * symlink or a hardlink all lead to the same (device, inode).
 */
const reading = new Map<string, { path: string; count: number }>();

function identity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

/**
 * Records that `path` is being read until the returned function is called
 * (FileSource does this for its lifetime). A path that cannot be stat'ed is
 * not recorded: opening it will fail with its own error.
 */
export function markReading(path: string): () => void {
  let key: string;
  try {
    key = identity(statSync(path));
  } catch {
    return () => {};
  }
  const entry = reading.get(key) ?? { path, count: 0 };
  entry.count++;
  reading.set(key, entry);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    entry.count--;
    if (entry.count === 0) reading.delete(key);
  };
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/**
 * Refuses an output that is one of the inputs: the same file by device and
 * inode (so `../a.wav`, a symlink and a hardlink are all caught), one of
 * `inputs`, or a file a FileSource in this process is reading. Throws
 * `E_INVALID_ARGUMENT` naming both paths; resolves when the output is safe to
 * write (it may not exist yet).
 */
export async function assertNotAnInput(output: string, inputs: readonly string[] = []): Promise<void> {
  const target = await statOrUndefined(output);
  if (target === undefined) {
    // Not there yet: only the same spelling can collide (a later input of that name does not exist either).
    const same = inputs.find((input) => resolve(input) === resolve(output));
    if (same !== undefined) throw sameFile(output, same);
    return;
  }
  for (const input of inputs) {
    const stats = await statOrUndefined(input);
    if (stats !== undefined && identity(stats) === identity(target)) throw sameFile(output, input);
  }
  const open = reading.get(identity(target));
  if (open !== undefined) throw sameFile(output, open.path);
}

function sameFile(output: string, input: string): SluiceError {
  const alias = resolve(output) === resolve(input) ? '' : ` (the same file by another path: ${input})`;
  return new SluiceError(
    'E_INVALID_ARGUMENT',
    `refusing to write ${output}: it is an input being read${alias}, and writing it would destroy it; choose another output path`,
    { details: { output, input: basename(input) } },
  );
}
