import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SluiceError } from '@sluice/core';

/** Where a batch reads or writes: a path on storage every worker sees, or an object in an S3-compatible store. */
export type StorageLocation =
  | { readonly scheme: 'file'; readonly path: string }
  | { readonly scheme: 's3'; readonly bucket: string; readonly key: string };

/**
 * Parses a `file:///abs/path` or `s3://bucket/key` URL. Anything else
 * (relative file URLs, http://, a bare path) is `E_INVALID_ARGUMENT`: job data
 * crosses machines, so a path only means something when it is absolute and
 * says which store it is in.
 */
export function parseStorageUrl(url: string): StorageLocation {
  if (url.startsWith('file://')) {
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch (error) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `"${url}" is not a valid file:// URL (it needs an absolute path: file:///mnt/audio/a.wav)`,
        {
          cause: error,
        },
      );
    }
    return { scheme: 'file', path };
  }
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (s3) return { scheme: 's3', bucket: s3[1] as string, key: decodeURIComponent(s3[2] ?? '') };
  throw new SluiceError('E_INVALID_ARGUMENT', `"${url}" is not a storage URL: use file:///absolute/path or s3://bucket/key`);
}

/** A URL for a local path (made absolute against the working directory) or a URL given as it is. */
export function toStorageUrl(pathOrUrl: string): string {
  if (pathOrUrl.startsWith('file://') || pathOrUrl.startsWith('s3://')) {
    parseStorageUrl(pathOrUrl);
    return pathOrUrl;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl)) parseStorageUrl(pathOrUrl); // throws: an unknown scheme
  return pathToFileURL(isAbsolute(pathOrUrl) ? pathOrUrl : resolve(pathOrUrl)).href;
}

/** `base` joined with a relative, `/`-separated path (`file:///out` + `a/b.wav`; `s3://bucket/out/` + `a/b.wav`). */
export function joinStorageUrl(base: string, relative: string): string {
  const location = parseStorageUrl(base);
  const clean = relative.split('/').filter((part) => part.length > 0 && part !== '.');
  if (clean.includes('..')) throw new SluiceError('E_INVALID_ARGUMENT', `"${relative}" climbs out of ${base}`);
  if (location.scheme === 'file') return pathToFileURL(resolve(location.path, ...clean)).href;
  const prefix = location.key.length === 0 || location.key.endsWith('/') ? location.key : `${location.key}/`;
  return `s3://${location.bucket}/${prefix}${clean.join('/')}`;
}

/** The URL's last path segment (`s3://b/a/song.wav` → `song.wav`). */
export function baseNameOf(url: string): string {
  const location = parseStorageUrl(url);
  const path = location.scheme === 'file' ? location.path : location.key;
  return path.split('/').filter(Boolean).pop() ?? '';
}

/** The URL of the folder holding `url`. */
export function parentOf(url: string): string {
  const location = parseStorageUrl(url);
  if (location.scheme === 'file') return pathToFileURL(resolve(location.path, '..')).href;
  const parts = location.key.split('/').filter(Boolean);
  parts.pop();
  return `s3://${location.bucket}/${parts.length > 0 ? `${parts.join('/')}/` : ''}`;
}
