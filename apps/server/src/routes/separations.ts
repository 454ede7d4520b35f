import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as pipe } from 'node:stream/promises';
import { Pipeline, SluiceError } from '@sluice/core';
import { ByteStreamSink, FileSource, OUTPUT_FORMATS, type OutputFormat, mimeTypeOf } from '@sluice/writers';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import type { JobView } from '../jobs/job-store';
import { badRequest, notFound } from '../errors';

/** `POST /v1/audio/separations` (multipart upload), job status, progress as Server-Sent Events, stem downloads. */
export function separationRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post('/v1/audio/separations', async (request, reply) => {
    if (!request.isMultipart()) throw badRequest('upload the audio as multipart/form-data with a "file" field');
    const file = await request.file({ limits: { fileSize: context.limits.uploadBytes, files: 1 } });
    if (file === undefined) throw badRequest('the form has no file');
    const { id, directory } = await context.jobs.create();
    // The client's file name is never used as a path: only a short alphanumeric extension survives.
    const extension = /\.([a-z0-9]{1,5})$/i.exec(file.filename ?? '')?.[1]?.toLowerCase() ?? 'bin';
    const input = join(directory, `input.${extension}`);
    try {
      await pipe(file.file, createWriteStream(input));
      if (file.file.truncated) {
        throw new SluiceError('E_CHUNK_TOO_LARGE', `the upload is larger than ${context.limits.uploadBytes} bytes`);
      }
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
    const job = await context.jobs.start(id, directory, input);
    return reply.status(202).send({ ...job, events: `/v1/audio/separations/${id}/events` });
  });

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
      const format = (request.query.format ?? 'wav') as OutputFormat;
      if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw badRequest(`format must be one of ${OUTPUT_FORMATS.join(', ')}`);
      const name = `${request.params.stem}.${format}`;
      if (format === 'wav') {
        return reply.type('audio/wav').header('Content-Disposition', `inline; filename="${name}"`).send(createReadStream(path));
      }
      reply.hijack();
      reply.raw.writeHead(200, { 'Content-Type': mimeTypeOf(format), 'Content-Disposition': `inline; filename="${name}"` });
      try {
        await new Pipeline({ source: await FileSource.open(path), sink: new ByteStreamSink(reply.raw, { format }) }).wait();
      } catch {
        reply.raw.destroy();
      }
    },
  );
}
