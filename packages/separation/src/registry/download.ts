import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SluiceError, abortError } from '@sluice/core';

/** Progress of a download. */
export interface DownloadProgress {
  /** Bytes on disk so far (a resumed download starts above 0). */
  received: number;
  /** Total bytes, when the server says. */
  total: number | undefined;
  /** Recent speed. */
  bytesPerSecond: number;
  /** Seconds left at that speed (NaN when unknown). */
  etaSeconds: number;
}

/** What a download must turn out to be. */
export interface Expected {
  sha256?: string | undefined;
  /** MD5 of the last 10,000 KiB (UVR's model hash). */
  uvrHash?: string | undefined;
  bytes?: number | undefined;
}

/** Options for {@link downloadFile}. */
export interface DownloadOptions {
  expected?: Expected;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Longest silence from the server before giving up with `E_TIMEOUT` (default 30 s). */
  stallMs?: number;
}

/** UVR hashes the last 10,000 KiB of a model file (the whole file when shorter). */
const UVR_TAIL = 10_000 * 1024;

/** SHA-256 of a file, and UVR's tail MD5. */
export async function fileDigests(path: string): Promise<{ sha256: string; uvrHash: string; bytes: number }> {
  const { size } = await stat(path);
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  const tailStart = Math.max(0, size - UVR_TAIL);
  let offset = 0;
  for await (const piece of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = piece as Buffer;
    sha.update(bytes);
    const from = Math.max(0, tailStart - offset);
    if (from < bytes.length) md5.update(bytes.subarray(from));
    offset += bytes.length;
  }
  return { sha256: sha.digest('hex'), uvrHash: md5.digest('hex'), bytes: size };
}

/**
 * Downloads `url` to `target`: into `target.part` first (resumed with an HTTP
 * Range request when a partial file is there; from the start when the
 * server ignores ranges), checked against the expected size and hashes, and
 * renamed into place only then, so a partial or wrong download never looks
 * complete. A wrong checksum removes the file and fails with `E_MODEL`
 * naming both hashes; HTTP errors are `E_MODEL` with the status, a server
 * that stops sending is `E_TIMEOUT`, an abort `E_ABORTED`.
 */
export async function downloadFile(url: string, target: string, options: DownloadOptions = {}): Promise<void> {
  const part = `${target}.part`;
  await mkdir(dirname(target), { recursive: true });
  await fetchInto(url, part, options);
  const actual = await fileDigests(part);
  const expected = options.expected ?? {};
  const mismatch =
    expected.bytes !== undefined && actual.bytes !== expected.bytes
      ? `${actual.bytes} bytes, expected ${expected.bytes}`
      : expected.sha256 !== undefined && actual.sha256 !== expected.sha256
        ? `sha256 ${actual.sha256}, expected ${expected.sha256}`
        : expected.uvrHash !== undefined && actual.uvrHash !== expected.uvrHash
          ? `UVR hash ${actual.uvrHash}, expected ${expected.uvrHash}`
          : undefined;
  if (mismatch !== undefined) {
    await rm(part, { force: true });
    throw new SluiceError('E_MODEL', `the file downloaded from ${url} is not the published one (${mismatch}); it was removed`, {
      details: { url, actual, expected },
    });
  }
  await rename(part, target);
}

async function fetchInto(url: string, part: string, options: DownloadOptions): Promise<void> {
  const stallMs = options.stallMs ?? 30_000;
  const have = await stat(part).then(
    (info) => info.size,
    () => 0,
  );
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallMs);
  };
  let handle: FileHandle | undefined;
  try {
    arm();
    const response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal: controller.signal });
    if (response.status === 416) {
      // The partial file is no prefix the server recognises: start again.
      await response.body?.cancel();
      await rm(part, { force: true });
      clearTimeout(timer);
      return fetchInto(url, part, options);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new SluiceError('E_MODEL', `cannot download ${url}: HTTP ${response.status} ${response.statusText}`.trim(), {
        details: { url, status: response.status },
      });
    }
    // 206: the server resumes where we were; 200: it ignored the range, so the file starts again.
    const resumed = response.status === 206;
    handle = await open(part, resumed ? 'a' : 'w');
    let received = resumed ? have : 0;
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? received + length : undefined;
    const started = Date.now();
    const startBytes = received;
    for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
      arm();
      await handle.write(piece);
      received += piece.length;
      if (options.onProgress) {
        const seconds = (Date.now() - started) / 1000;
        const bytesPerSecond = seconds > 0 ? (received - startBytes) / seconds : 0;
        const etaSeconds = total !== undefined && bytesPerSecond > 0 ? (total - received) / bytesPerSecond : Number.NaN;
        options.onProgress({ received, total, bytesPerSecond, etaSeconds });
      }
    }
  } catch (error) {
    if (options.signal?.aborted) throw abortError(options.signal, `the download of ${url}`);
    if (stalled)
      throw new SluiceError(
        'E_TIMEOUT',
        `the server sent nothing for ${stallMs} ms while downloading ${url}; run the pull again to resume`,
      );
    if (SluiceError.isInstance(error)) throw error;
    throw SluiceError.wrap(error, 'E_IO', `the download of ${url} failed (run the pull again to resume)`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
    await handle?.close();
  }
}
