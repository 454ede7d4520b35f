import { type Hash, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/** UVR's hash of a file: the MD5 of its last 10,000 KiB (read from the end only). */
export async function uvrHashOf(path: string): Promise<string> {
  const { size } = await stat(path);
  const md5 = createHash('md5');
  for await (const piece of createReadStream(path, { start: Math.max(0, size - UVR_TAIL), highWaterMark: 1 << 20 }))
    md5.update(piece as Buffer);
  return md5.digest('hex');
}

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
 * that stops sending is `E_TIMEOUT`, an abort `E_ABORTED`. Resolves with
 * the file's SHA-256.
 */
export async function downloadFile(url: string, target: string, options: DownloadOptions = {}): Promise<{ sha256: string }> {
  const part = `${target}.part`;
  await mkdir(dirname(target), { recursive: true });
  // The SHA-256 is computed as the bytes arrive (a resumed download hashes the part it already had first),
  // so a verified download costs no second read; UVR's hash reads only the file's last 10,000 KiB.
  const sha256 = await fetchInto(url, part, options);
  const expected = options.expected ?? {};
  const bytes = (await stat(part)).size;
  const actual = { sha256, bytes, uvrHash: expected.uvrHash === undefined ? undefined : await uvrHashOf(part) };
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
  return { sha256 };
}

/**
 * A GET through node:http(s) (a plain Node stream: several times the
 * throughput of fetch's web streams on a fast link), following redirects as
 * the publishers' hosts use them (GitHub releases and Hugging Face redirect
 * to their CDNs).
 */
function get(url: string, headers: Record<string, string>, signal: AbortSignal, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
    if (send === undefined) {
      reject(new SluiceError('E_MODEL', `cannot download ${url}: only http and https URLs are supported`));
      return;
    }
    const request = send(target, { headers: { 'User-Agent': 'sluice', ...headers }, signal }, (response) => {
      const location = response.headers.location;
      if (response.statusCode !== undefined && response.statusCode >= 300 && response.statusCode < 400 && location) {
        response.resume();
        if (redirects === 0) reject(new SluiceError('E_MODEL', `cannot download ${url}: too many redirects`));
        else get(new URL(location, target).href, headers, signal, redirects - 1).then(resolve, reject);
        return;
      }
      resolve(response);
    });
    request.on('error', reject);
    request.end();
  });
}

/** Downloads into `part` (resuming it when the server allows) and resolves with the whole file's SHA-256. */
async function fetchInto(url: string, part: string, options: DownloadOptions): Promise<string> {
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
  try {
    arm();
    const response = await get(url, have > 0 ? { Range: `bytes=${have}-` } : {}, controller.signal);
    const status = response.statusCode ?? 0;
    if (status === 416) {
      // The partial file is no prefix the server recognises: start again.
      response.resume();
      await rm(part, { force: true });
      clearTimeout(timer);
      return fetchInto(url, part, options);
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new SluiceError('E_MODEL', `cannot download ${url}: HTTP ${status} ${response.statusMessage ?? ''}`.trim(), {
        details: { url, status },
      });
    }
    // 206: the server resumes where we were; 200: it ignored the range, so the file starts again.
    const resumed = status === 206;
    const hash = createHash('sha256');
    if (resumed) await hashFile(part, hash);
    let received = resumed ? have : 0;
    const length = Number(response.headers['content-length']);
    const total = Number.isFinite(length) && length > 0 ? received + length : undefined;
    const started = Date.now();
    const startBytes = received;
    let lastReport = 0;
    const report = () => {
      const now = Date.now();
      if (!options.onProgress || (now - lastReport < 100 && received !== total)) return;
      lastReport = now;
      const seconds = (now - started) / 1000;
      const bytesPerSecond = seconds > 0 ? (received - startBytes) / seconds : 0;
      const etaSeconds = total !== undefined && bytesPerSecond > 0 ? (total - received) / bytesPerSecond : Number.NaN;
      options.onProgress({ received, total, bytesPerSecond, etaSeconds });
    };
    // Written by hand, not through stream.pipeline: a pipeline that fails destroys the file stream with what it
    // still buffers, so a cut connection could leave an empty .part and the next pull would start again. Here
    // every byte received is on disk before the error is reported.
    const file = await open(part, resumed ? 'a' : 'w');
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const bytes = Buffer.concat(pending, pendingBytes);
      pending.length = 0;
      pendingBytes = 0;
      await file.write(bytes);
    };
    try {
      for await (const piece of response as AsyncIterable<Buffer>) {
        arm();
        hash.update(piece);
        received += piece.length;
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= 1 << 20) await flush();
        report();
      }
    } finally {
      await flush().finally(() => file.close());
    }
    return hash.digest('hex');
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
  }
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const piece of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(piece as Buffer);
}
