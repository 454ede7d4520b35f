import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SluiceError } from '@sluice/core';
import { type FetchedInput, type StagingArea, type Store, stagingName } from './storage';
import { parseStorageUrl } from './storage-url';

function pathOf(url: string): string {
  const location = parseStorageUrl(url);
  if (location.scheme !== 'file') throw new SluiceError('E_INTERNAL', `${url} given to the file store`);
  return location.path;
}

function ioError(error: unknown, what: string): SluiceError {
  const code = (error as NodeJS.ErrnoException).code;
  return SluiceError.wrap(error, code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_IO', what);
}

/** `file://` URLs: storage every worker mounts at the same path (NFS, a shared disk, this machine). */
export class FileStore implements Store {
  async fetch(url: string): Promise<FetchedInput> {
    const path = pathOf(url);
    const info = await stat(path).catch((error) => {
      throw ioError(error, `cannot read ${url}`);
    });
    if (!info.isFile()) throw new SluiceError('E_NOT_FOUND', `${url} is not a file`);
    return { path, release: async () => undefined };
  }

  async stage(destinationFolder: string, token: string): Promise<StagingArea> {
    const folder = pathOf(destinationFolder);
    await mkdir(folder, { recursive: true });
    const path = join(folder, stagingName(token));
    await mkdir(path, { recursive: true });
    return {
      path,
      commit: async (name, url) => {
        const target = pathOf(url);
        await mkdir(join(target, '..'), { recursive: true });
        // rename() within one file system is atomic: readers see the old file or the whole new one.
        await rename(join(path, name), target).catch((error) => {
          throw ioError(error, `cannot move ${name} to ${url}`);
        });
      },
      discard: () => rm(path, { recursive: true, force: true }),
    };
  }

  async sweep(destinationFolder: string, jobId: string): Promise<number> {
    const folder = pathOf(destinationFolder);
    const prefix = stagingName(`${jobId}.`).replace(/\.part$/, '');
    const names = await readdir(folder).catch(() => [] as string[]);
    const stale = names.filter((name) => name.startsWith(prefix) && name.endsWith('.part'));
    await Promise.all(stale.map((name) => rm(join(folder, name), { recursive: true, force: true })));
    return stale.length;
  }

  async exists(url: string): Promise<boolean> {
    return stat(pathOf(url)).then(
      (info) => info.isFile(),
      () => false,
    );
  }

  async readText(url: string): Promise<string | undefined> {
    return readFile(pathOf(url), 'utf8').catch((error) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError(error, `cannot read ${url}`);
    });
  }

  async fingerprint(url: string): Promise<string> {
    const hash = createHash('sha256');
    try {
      for await (const piece of createReadStream(pathOf(url))) hash.update(piece as Buffer);
    } catch (error) {
      throw ioError(error, `cannot read ${url}`);
    }
    return `sha256:${hash.digest('hex')}`;
  }

  async list(url: string): Promise<string[]> {
    const root = pathOf(url);
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error) => {
      throw ioError(error, `cannot list ${url}`);
    });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .filter(
        (path) =>
          !relative(root, path)
            .split(sep)
            .some((part) => part.startsWith('.')),
      )
      .sort()
      .map((path) => pathToFileURL(path).href);
  }

  close(): void {}
}

/** A token unique to one run of a job: its id, then random characters (several runs may overlap after a stall). */
export function runToken(jobId: string): string {
  return `${jobId}.${randomBytes(4).toString('hex')}`;
}
