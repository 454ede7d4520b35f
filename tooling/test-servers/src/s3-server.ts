import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

/** An object as the server keeps it. */
interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly modified: Date;
}

/** Every request the server answered, for tests that check what the client did. */
export interface S3RequestLog {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly status: number;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

/**
 * A small S3-compatible HTTP server for tests: path-style addressing
 * (`http://127.0.0.1:PORT/bucket/key`), in memory. It answers the calls
 * @aws-sdk/client-s3 makes for PutObject, GetObject, HeadObject, DeleteObject,
 * ListObjectsV2 and CreateBucket, with S3's status codes and XML error bodies
 * (NoSuchKey, NoSuchBucket). Signatures are not checked; aws-chunked bodies
 * (the SDK's trailing checksums) are refused with 501, as several
 * S3-compatible stores do, so a client must send plain bodies.
 */
export class S3Server {
  readonly #buckets = new Map<string, Map<string, StoredObject>>();
  readonly #server: Server = createServer((request, response) => {
    this.#handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(errorXml('InternalError', String(error)));
    });
  });
  /** Requests answered, in order. */
  readonly requests: S3RequestLog[] = [];

  #failures = 0;
  #getDelayMs = 0;

  /** `http://127.0.0.1:PORT`: the endpoint to give the S3 client. */
  endpoint = '';

  /** Starts a server on a free port with the given (empty) buckets. */
  static async start(buckets: readonly string[] = []): Promise<S3Server> {
    const server = new S3Server();
    for (const bucket of buckets) server.#buckets.set(bucket, new Map());
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.endpoint = `http://127.0.0.1:${(server.#server.address() as { port: number }).port}`;
    return server;
  }

  /** The keys in a bucket, sorted. */
  keys(bucket: string): string[] {
    return [...(this.#buckets.get(bucket)?.keys() ?? [])].sort();
  }

  /** An object's bytes, or undefined. */
  object(bucket: string, key: string): Buffer | undefined {
    return this.#buckets.get(bucket)?.get(key)?.body;
  }

  /** Puts an object directly (test set-up). */
  put(bucket: string, key: string, body: Uint8Array): void {
    const objects = this.#buckets.get(bucket) ?? new Map<string, StoredObject>();
    this.#buckets.set(bucket, objects);
    objects.set(key, { body: Buffer.from(body), etag: `"${createHash('md5').update(body).digest('hex')}"`, modified: new Date() });
  }

  /** Holds every object GET this long before answering (a slow store, or a large object far away). */
  delayGets(ms: number): void {
    this.#getDelayMs = ms;
  }

  /** Answers the next `count` object requests with 500 InternalError (a store having a bad minute). */
  failNext(count: number): void {
    this.#failures = count;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const method = request.method ?? 'GET';
    const reply = (status: number, body: string | Buffer = '', headers: Record<string, string> = {}) => {
      this.requests.push({ method, bucket, key, status });
      response.writeHead(status, {
        ...(typeof body === 'string' && body.length > 0 ? { 'content-type': 'application/xml' } : {}),
        ...headers,
      });
      response.end(method === 'HEAD' ? undefined : body);
    };
    const objects = this.#buckets.get(bucket);
    if (key === '') {
      if (method === 'PUT') {
        if (!objects) this.#buckets.set(bucket, new Map());
        return reply(200);
      }
      if (!objects) return reply(404, errorXml('NoSuchBucket', `no bucket ${bucket}`));
      if (method === 'HEAD') return reply(200);
      if (method === 'GET' && url.searchParams.get('list-type') === '2') return reply(200, this.#list(bucket, objects, url.searchParams));
      return reply(405, errorXml('MethodNotAllowed', `${method} on a bucket`));
    }
    if (!objects) return reply(404, errorXml('NoSuchBucket', `no bucket ${bucket}`));
    if (this.#failures > 0) {
      this.#failures--;
      await bodyOf(request);
      return reply(500, errorXml('InternalError', 'failing on purpose (failNext)'));
    }
    if (method === 'PUT') {
      const encoding = `${request.headers['content-encoding'] ?? ''} ${request.headers['x-amz-content-sha256'] ?? ''}`;
      if (/aws-chunked|STREAMING-/i.test(encoding)) {
        await bodyOf(request);
        return reply(501, errorXml('NotImplemented', 'aws-chunked uploads are not supported by this server'));
      }
      this.put(bucket, key, await bodyOf(request));
      return reply(200, '', { etag: objects.get(key)?.etag ?? '' });
    }
    const object = objects.get(key);
    if (method === 'DELETE') {
      objects.delete(key);
      return reply(204);
    }
    if (object === undefined) return reply(404, method === 'HEAD' ? '' : errorXml('NoSuchKey', `no key ${key}`));
    const headers = {
      etag: object.etag,
      'content-length': String(object.body.length),
      'last-modified': object.modified.toUTCString(),
      'content-type': 'application/octet-stream',
    };
    if (method === 'HEAD') return reply(200, '', headers);
    if (method === 'GET') {
      if (this.#getDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#getDelayMs));
      return reply(200, object.body, headers);
    }
    return reply(405, errorXml('MethodNotAllowed', method));
  }

  #list(bucket: string, objects: Map<string, StoredObject>, params: URLSearchParams): string {
    const prefix = params.get('prefix') ?? '';
    const max = Math.min(1000, Number(params.get('max-keys') ?? 1000));
    const after = params.get('continuation-token') ?? params.get('start-after') ?? '';
    const keys = [...objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = keys.slice(0, max);
    const truncated = keys.length > page.length;
    const contents = page
      .map((key) => {
        const object = objects.get(key) as StoredObject;
        return `<Contents><Key>${xmlEscape(key)}</Key><LastModified>${object.modified.toISOString()}</LastModified><ETag>${xmlEscape(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const next = truncated ? `<NextContinuationToken>${xmlEscape(page[page.length - 1] as string)}</NextContinuationToken>` : '';
    return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`;
  }
}
