import { SluiceError } from '@sluice/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * An AbortSignal that fires when the client's connection is gone, including
 * when it was gone before the handler got this far (a client that sent its
 * request and left at once): everything done for that client stops.
 */
export function clientGone(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const abort = () => {
    if (!reply.raw.writableFinished && !controller.signal.aborted) {
      controller.abort(new SluiceError('E_ABORTED', 'the client went away'));
    }
  };
  const socket = request.raw.socket;
  // Not `request.raw.destroyed`: a request whose body has been read is destroyed by then, its connection still open.
  if (socket === null || socket.destroyed || reply.raw.destroyed) abort();
  reply.raw.once('close', abort);
  socket?.once('close', abort);
  return controller.signal;
}
