import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SluiceError } from '@sluice/core';

/**
 * A file written under a temporary name in its target's directory and moved
 * into place only when complete, so a failed or aborted write never leaves a
 * partial file under the final name (and a rename within one directory is
 * atomic: readers see the old file or the new one, never half of one).
 */
export class TemporaryFile {
  /** Where the bytes go while the file is being written: `.NAME.XXXXXXXX.part` beside the target. */
  readonly path: string;
  private settled = false;

  constructor(readonly target: string) {
    this.path = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.part`);
  }

  /** Moves the finished file to its final name (replacing what was there). */
  async commit(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    try {
      await rename(this.path, this.target);
    } catch (error) {
      await rm(this.path, { force: true }).catch(() => {});
      throw SluiceError.wrap(error, 'E_IO', `cannot move the finished file into place at ${this.target}`);
    }
  }

  /** Removes the temporary file; the final name is left as it was. */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await rm(this.path, { force: true }).catch(() => {});
  }
}
