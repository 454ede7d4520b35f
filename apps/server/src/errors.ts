import { SluiceError, type SluiceErrorCode } from '@sluice/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsRegistry } from './metrics/registry';

declare module '@sluice/core' {
  interface SluiceErrorCodes {
    /** Too many requests: the server's rate limit refused this one (HTTP 429; try again later). */
    E_RATE_LIMITED: true;
  }
}

/** Every code a request can meet: those of the packages this server runs (not the sandbox's or the devices'). */
export type ServerErrorCode = Exclude<SluiceErrorCode, 'E_SANDBOX' | 'E_DEVICE_UNAVAILABLE'>;

/**
 * The HTTP status of every error code, in one complete table (the compiler
 * refuses a code without a row). A 4xx is the client's to fix and carries
 * the error's message; a 5xx other than 502/503/504 is the server's fault
 * and answers `E_INTERNAL` with a generic message (the log has the rest).
 */
export const HTTP_STATUS: Readonly<Record<ServerErrorCode, number>> = {
  E_INVALID_ARGUMENT: 400,
  E_FORMAT: 400,
  E_DECODE: 400,
  E_UNSUPPORTED: 400,
  E_NON_FINITE: 400,
  E_TTS_VOICE: 400,
  E_TTS_INVALID_TEXT: 400,
  E_NOT_FOUND: 404,
  E_CHUNK_TOO_LARGE: 413,
  E_RATE_LIMITED: 429,
  E_TTS_SERVICE: 502,
  E_TTS_CREDENTIALS: 502,
  E_BUFFER_OVERFLOW: 503,
  E_TTS_THROTTLED: 503,
  // The work was stopped under the request: the server is shutting down (a client that left reads nothing).
  E_ABORTED: 503,
  E_TIMEOUT: 504,
  E_STATE: 500,
  E_SEQUENCE: 500,
  E_CLOSED: 500,
  E_SOURCE: 500,
  E_PROCESSOR: 500,
  E_SINK: 500,
  E_IO: 500,
  E_WORKER: 500,
  E_MODEL: 500,
  E_FFMPEG: 500,
  E_FFMPEG_NOT_FOUND: 500,
  E_INTERNAL: 500,
};

/** Statuses whose code and message reach the client as they are (the client's fault, or a service to retry later). */
function passesThrough(status: number): boolean {
  return status < 500 || status === 502 || status === 503 || status === 504;
}

/** The JSON body of every error response: a code and a message, never a stack. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Maps anything thrown to a status and a safe JSON body. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (SluiceError.isInstance(error)) {
    const status = Object.hasOwn(HTTP_STATUS, error.code) ? HTTP_STATUS[error.code as ServerErrorCode] : 500;
    if (!passesThrough(status)) return { status, body: { error: { code: 'E_INTERNAL', message: 'internal error; see the server log' } } };
    return { status, body: { error: { code: error.code, message: error.message } } };
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
