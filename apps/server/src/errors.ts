import { SluiceError, type SluiceErrorCode } from '@sluice/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsRegistry } from './metrics/registry';

/** HTTP status for each error code a client can cause; anything else is a 500 with a generic message. */
const STATUS: Partial<Record<SluiceErrorCode, number>> = {
  E_INVALID_ARGUMENT: 400,
  E_NOT_FOUND: 404,
  E_FORMAT: 400,
  E_DECODE: 400,
  E_UNSUPPORTED: 400,
  E_TTS_VOICE: 400,
  E_TTS_INVALID_TEXT: 400,
  E_CHUNK_TOO_LARGE: 413,
  E_BUFFER_OVERFLOW: 503,
  E_TIMEOUT: 504,
  E_TTS_THROTTLED: 503,
  E_TTS_SERVICE: 502,
  E_TTS_CREDENTIALS: 502,
};

/** The JSON body of every error response: a code and a message, never a stack. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Maps anything thrown to a status and a safe JSON body. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (SluiceError.isInstance(error)) {
    const status = STATUS[error.code] ?? 500;
    const message = status === 500 ? 'internal error; see the server log' : error.message;
    return { status, body: { error: { code: status === 500 ? 'E_INTERNAL' : error.code, message } } };
  }
  const fastify = error as Partial<FastifyError> & { statusCode?: number };
  const status = fastify.statusCode ?? 500;
  if (status === 429) return { status, body: { error: { code: 'E_RATE_LIMITED', message: fastify.message ?? 'too many requests' } } };
  if (status === 413 || fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: { error: { code: 'E_CHUNK_TOO_LARGE', message: 'the request body is larger than this server accepts' } } };
  }
  if (status >= 400 && status < 500) {
    return { status, body: { error: { code: 'E_INVALID_ARGUMENT', message: fastify.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal error; see the server log' } } };
}

/** Fastify's error handler: logs server faults, answers with {@link toErrorResponse}, counts by code. */
export function errorHandler(metrics: MetricsRegistry) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    metrics.count('sluice_errors_total', { code: body.error.code });
    void reply.status(status).type('application/json').send(body);
  };
}

/** A client mistake, as a typed error. */
export function badRequest(message: string, details?: Record<string, unknown>): SluiceError {
  return new SluiceError('E_INVALID_ARGUMENT', message, details === undefined ? {} : { details });
}

/** Nothing by that name (job, stem, route): HTTP 404 with code E_NOT_FOUND. */
export function notFound(what: string): SluiceError {
  return new SluiceError('E_NOT_FOUND', `no ${what}`);
}
