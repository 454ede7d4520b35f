import type { Worker } from 'node:worker_threads';
import { SluiceError, type SluiceErrorCode } from '@sluice/core';

/** What every worker reply carries: the request's id, and an error's code and message when it failed. */
export type WorkerReply = { id: number } & ({ type: 'error'; code: string; message: string } | { type: string });

interface Pending<Reply> {
  resolve(reply: Reply): void;
  reject(error: unknown): void;
}

/**
 * Request/response by id over a worker thread, shared by the package's
 * workers: the worker is referenced only while requests are pending (an idle
 * one never keeps the process alive), an `error` reply rejects with its own
 * code, and a worker that fails or exits fails every pending and later
 * request with `E_WORKER` (or whatever {@link WorkerRequests.fail} is given).
 */
export class WorkerRequests<Reply extends WorkerReply> {
  private readonly pending = new Map<number, Pending<Reply>>();
  private nextId = 1;
  private failure: SluiceError | undefined;

  constructor(
    readonly worker: Worker,
    private readonly label: string,
    what: string,
    expectExit: () => boolean = () => false,
  ) {
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.fail(SluiceError.wrap(error, 'E_WORKER', `${label}: the ${what} failed`)));
    worker.on('exit', (code) => {
      if (!expectExit()) this.fail(new SluiceError('E_WORKER', `${label}: the ${what} exited unexpectedly (exit code ${code})`));
    });
  }

  /** The error every request now gets, if the worker has failed or was closed. */
  get failed(): SluiceError | undefined {
    return this.failure;
  }

  /** Sends `message` (with a fresh id) and resolves with the worker's reply to it. */
  request(message: object, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Fails every pending and later request with `error` (the first failure wins). */
  fail(error: SluiceError): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.type === 'error') {
      const { code, message } = reply as { code: string; message: string };
      pending.reject(new SluiceError(code as SluiceErrorCode, `${this.label}: ${message}`));
    } else {
      pending.resolve(reply);
    }
  }
}
