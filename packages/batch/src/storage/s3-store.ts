import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { SluiceError } from '@sluice/core';
import { type FetchedInput, type StagingArea, type Store, stagingName } from './storage';
import { parseStorageUrl } from './storage-url';

/** How to reach an S3-compatible store. Credentials come from the AWS SDK's chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE). */
export interface S3StoreOptions {
  /** Another S3-compatible server (MinIO, Ceph, R2): `http://127.0.0.1:9000`. Default: AWS, or the SDK's AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL. */
  readonly endpoint?: string;
  /** Region (default: the SDK's AWS_REGION, else `us-east-1`). */
  readonly region?: string;
  /** `http://host/bucket/key` addressing (default: true with an `endpoint`, as MinIO and Ceph expect). */
  readonly forcePathStyle?: boolean;
  /** The SDK client itself, for anything the options above do not cover. */
  readonly client?: S3Client;
}

function bucketKey(url: string): { Bucket: string; Key: string } {
  const location = parseStorageUrl(url);
  if (location.scheme !== 's3') throw new SluiceError('E_INTERNAL', `${url} given to the S3 store`);
  return { Bucket: location.bucket, Key: location.key };
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** An SDK error as a SluiceError: 404 is E_NOT_FOUND; 401/403 are E_IO that no retry mends; the rest E_IO, retried. */
function s3Error(error: unknown, what: string): SluiceError {
  const status = statusOf(error);
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (status === 404) return new SluiceError('E_NOT_FOUND', `${what}: not found`, { cause: error });
  const retryable = status !== 401 && status !== 403 && status !== 400;
  return new SluiceError('E_IO', `${what}: ${reason}`, { cause: error, details: { status: status ?? null, retryable } });
}

/** The AWS SDK's S3 module: an optional peer dependency, loaded with the first `s3://` URL. */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

/** Loads the SDK, or says how to install it (E_UNSUPPORTED: no retry mends a missing package). */
export async function loadS3Sdk(): Promise<S3Sdk> {
  try {
    return await import('@aws-sdk/client-s3');
  } catch (error) {
    throw new SluiceError('E_UNSUPPORTED', 's3:// URLs need the AWS SDK: npm install @aws-sdk/client-s3', { cause: error });
  }
}

/** `s3://bucket/key` URLs through @aws-sdk/client-s3. */
export class S3Store implements Store {
  readonly #client: S3Client;
  readonly #owned: boolean;
  readonly #sdk: S3Sdk;

  constructor(sdk: S3Sdk, options: S3StoreOptions = {}) {
    this.#sdk = sdk;
    this.#owned = options.client === undefined;
    const config: S3ClientConfig = {
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // Checksums only where S3 requires them: many S3-compatible stores refuse the SDK's default trailing checksums.
      ...(options.endpoint === undefined ? {} : { requestChecksumCalculation: 'WHEN_REQUIRED' as const }),
    };
    this.#client = options.client ?? new sdk.S3Client(config);
  }

  async fetch(url: string, signal?: AbortSignal): Promise<FetchedInput> {
    const folder = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
    const path = join(folder, bucketKey(url).Key.split('/').pop() || 'object');
    try {
      const response = await this.#client.send(new this.#sdk.GetObjectCommand(bucketKey(url)), signal ? { abortSignal: signal } : {});
      await pipeline(response.Body as Readable, createWriteStream(path), signal ? { signal } : {});
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw s3Error(error, `cannot download ${url}`);
    }
    return { path, release: () => rm(folder, { recursive: true, force: true }) };
  }

  async stage(_destinationFolder: string, token: string): Promise<StagingArea> {
    const path = await mkdtemp(join(tmpdir(), `${stagingName(token)}-`));
    return {
      path,
      commit: async (name, url) => {
        const file = join(path, name);
        const { size } = await stat(file);
        try {
          // One PUT: the object appears under its key only when the whole body has arrived.
          await this.#client.send(new this.#sdk.PutObjectCommand({ ...bucketKey(url), Body: createReadStream(file), ContentLength: size }));
        } catch (error) {
          throw s3Error(error, `cannot upload ${url}`);
        }
        await rm(file, { force: true });
      },
      discard: () => rm(path, { recursive: true, force: true }),
    };
  }

  /** Nothing to sweep: uploads are whole objects, and staging lives in the worker's own temporary folder. */
  async sweep(): Promise<number> {
    return 0;
  }

  async exists(url: string): Promise<boolean> {
    try {
      await this.#client.send(new this.#sdk.HeadObjectCommand(bucketKey(url)));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw s3Error(error, `cannot look up ${url}`);
    }
  }

  async readText(url: string): Promise<string | undefined> {
    try {
      const response = await this.#client.send(new this.#sdk.GetObjectCommand(bucketKey(url)));
      return await (response.Body as { transformToString(): Promise<string> }).transformToString();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw s3Error(error, `cannot read ${url}`);
    }
  }

  async fingerprint(url: string): Promise<string> {
    try {
      const head = await this.#client.send(new this.#sdk.HeadObjectCommand(bucketKey(url)));
      return `etag:${head.ETag ?? ''}:${head.ContentLength ?? 0}`;
    } catch (error) {
      throw s3Error(error, `cannot look up ${url}`);
    }
  }

  async list(url: string): Promise<string[]> {
    const { Bucket, Key } = bucketKey(url);
    const Prefix = Key.length === 0 || Key.endsWith('/') ? Key : `${Key}/`;
    const urls: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.#client
        .send(new this.#sdk.ListObjectsV2Command({ Bucket, Prefix, ...(ContinuationToken ? { ContinuationToken } : {}) }))
        .catch((error) => {
          throw s3Error(error, `cannot list ${url}`);
        });
      for (const object of page.Contents ?? []) {
        const key = object.Key ?? '';
        if (
          key.endsWith('/') ||
          key
            .slice(Prefix.length)
            .split('/')
            .some((part) => part.startsWith('.'))
        )
          continue;
        urls.push(`s3://${Bucket}/${key}`);
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    return urls.sort();
  }

  close(): void {
    if (this.#owned) this.#client.destroy();
  }
}
