import { createWriteStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline as pipe } from 'node:stream/promises';
import { Pipeline, SluiceError } from '@sluice/core';
import { ByteStreamSink, FileSource, CONTAINERS, type Container, mimeTypeOf } from '@sluice/writers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context';
import type { JobView } from '../jobs/job-store';
import { badRequest, notFound } from '../errors';

/**
 * Ends the connection shortly after the error reply has gone out, so the
 * rest of an over-limit upload is never written anywhere and read for at
 * most `LINGER_MS` (discarded). Not at once: a socket closed with unread
 * data answers the client with a reset, which can destroy the 413 before the
 * client has read it; lingering briefly is what servers do (nginx's
 * lingering close).
 */
function closeAfterReply(request: FastifyRequest, reply: FastifyReply): void {
  reply.raw.once('finish', () => {
    const socket = request.raw.socket;
    setTimeout(() => socket?.destroy(), LINGER_MS).unref();
  });
}

/** How long the rest of a refused upload may still be read (and discarded) after the reply. */
const LINGER_MS = 2000;

/** Streams the upload's file into the job's directory, stopping at the size limit; client mistakes are typed errors. */
async function receiveUpload(
  request: FastifyRequest,
  reply: FastifyReply,
  directory: string,
  limit: number,
): Promise<{ input: string; model: string | undefined }> {
  let file: Awaited<ReturnType<FastifyRequest['file']>>;
  try {
    file = await request.file({ limits: { fileSize: limit, files: 1 } });
  } catch (error) {
    throw badRequest(`the multipart body is malformed (${(error as Error).message})`);
  }
  if (file === undefined) throw badRequest('the form has no file');
  // The client's file name is never used as a path: only a short alphanumeric extension survives (a hint for probing).
  const extension = /\.([a-z0-9]{1,5})$/i.exec(file.filename ?? '')?.[1]?.toLowerCase() ?? 'bin';
  const input = join(directory, `input.${extension}`);
  const tooLarge = new SluiceError('E_CHUNK_TOO_LARGE', `the upload is larger than ${limit} bytes`);
  // At the limit, stop: the stream is destroyed (nothing more is written) and the connection closes after the 413.
  file.file.once('limit', () => {
    closeAfterReply(request, reply);
    file.file.destroy(tooLarge);
  });
  // A body that broke off or does not parse is the client's fault (400); a write that failed is the server's (500).
  let readError: unknown;
  file.file.once('error', (error) => {
    readError = error;
  });
  try {
    await pipe(file.file, createWriteStream(input));
  } catch (error) {
    if (error === tooLarge || file.file.truncated) throw tooLarge;
    // The parser may have failed the file stream before our listener was attached: its stored error says so.
    if (error !== readError && error !== file.file.errored) throw error;
    throw badRequest(`the multipart body is malformed (${(error as Error).message})`);
  }
  if (file.file.truncated) throw tooLarge;
  // Fields sent before the file come with it (the page sends `model` first).
  const field = Object.hasOwn(file.fields, 'model') ? file.fields.model : undefined;
  const model = field !== undefined && !Array.isArray(field) && field.type === 'field' ? String(field.value) : undefined;
  return { input, model };
}

/** `POST /v1/audio/separations` (multipart upload), job status, progress as Server-Sent Events, stem downloads. */
export function separationRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post('/v1/audio/separations', async (request, reply) => {
    if (!request.isMultipart()) throw badRequest('upload the audio as multipart/form-data with a "file" field');
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > context.limits.uploadBytes + 64 * 1024) {
      closeAfterReply(request, reply);
      throw new SluiceError('E_CHUNK_TOO_LARGE', `the upload is larger than ${context.limits.uploadBytes} bytes`);
    }
    const { id, directory } = await context.jobs.create();
    try {
      const { input, model } = await receiveUpload(request, reply, directory, context.limits.uploadBytes);
      const job = await context.jobs.start(id, directory, input, model);
      return reply.status(202).send({ ...job, events: `/v1/audio/separations/${id}/events` });
    } catch (error) {
      if (context.jobs.get(id) === undefined) await context.jobs.abandon(id, directory).catch(() => {});
      throw error;
    }
  });

  app.get('/v1/audio/separations/models', async () => ({ models: context.jobs.separators() }));

  app.get<{ Params: { id: string } }>('/v1/audio/separations/:id', async (request) => {
    const job = context.jobs.get(request.params.id);
    if (job === undefined) throw notFound('such job');
    const { events: _events, directory: _directory, ...view } = job;
    return view;
  });

  app.get<{ Params: { id: string } }>('/v1/audio/separations/:id/events', async (request, reply) => {
    const job = context.jobs.get(request.params.id);
    if (job === undefined) throw notFound('such job');
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const send = (view: JobView) => {
      const event = view.status === 'done' ? 'done' : view.status === 'failed' ? 'error' : 'progress';
      raw.write(`event: ${event}\ndata: ${JSON.stringify(view)}\n\n`);
      if (event !== 'progress') {
        job.events.off('update', send);
        raw.end();
      }
    };
    const { events: _events, directory: _directory, ...view } = job;
    job.events.on('update', send);
    raw.on('close', () => job.events.off('update', send));
    send(view);
  });

  app.get<{ Params: { id: string; stem: string }; Querystring: { format?: string } }>(
    '/v1/audio/separations/:id/stems/:stem',
    async (request, reply) => {
      const path = context.jobs.stemPath(request.params.id, request.params.stem);
      if (path === undefined) throw notFound('such stem (is the job done?)');
      const requested = request.query.format ?? 'wav';
      if (!CONTAINERS.includes(requested as Container)) throw badRequest(`format must be one of ${CONTAINERS.join(', ')}`);
      const container = requested as Container;
      // Checked before anything is sent: a stem removed by retention meanwhile is a 404, not a cut connection.
      const present = await access(path).then(
        () => true,
        () => false,
      );
      if (!present) throw notFound('such stem (it has expired)');
      const name = `${request.params.stem}.${container}`;
      if (container === 'wav') {
        // The stored WAV as a file: Content-Length, and Range requests (206) so players can seek.
        return reply
          .type('audio/wav')
          .header('Content-Disposition', `inline; filename="${name}"`)
          .sendFile(basename(path), dirname(path), { cacheControl: false });
      }
      const source = await FileSource.open(path).catch(() => {
        throw notFound('such stem (it has expired)');
      });
      reply.hijack();
      reply.raw.writeHead(200, { 'Content-Type': mimeTypeOf(container), 'Content-Disposition': `inline; filename="${name}"` });
      try {
        await new Pipeline({
          source,
          sink: new ByteStreamSink(reply.raw, { container, writeTimeoutMs: context.limits.writeTimeoutMs }),
        }).wait();
      } catch {
        reply.raw.destroy();
      }
    },
  );
}
