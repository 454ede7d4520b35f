import type { Worker } from 'node:worker_threads';
import { SluiceError, type SluiceErrorCode, startPackageWorker } from '@sluice/core';
import type { InferencePlan, ValueInfo, WorkerRequest, WorkerResponse, WorkerSessionOptions } from './protocol';

interface Pending {
  resolve(value: WorkerResponse): void;
  reject(error: unknown): void;
}

/**
 * The main thread's side of an inference worker: request/response by id,
 * the worker kept referenced only while requests are pending (an idle
 * model does not keep the process alive), and every pending request failed
 * with `E_WORKER` when the worker dies.
 */
export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: SluiceError | undefined;
  private closed = false;

  constructor(private readonly label: string) {
    this.worker = startPackageWorker(import.meta.url, 'inference-worker', './inference-worker.ts');
    this.worker.unref();
    this.worker.on('message', (response: WorkerResponse) => this.settle(response));
    this.worker.on('error', (error) => this.fail(SluiceError.wrap(error, 'E_WORKER', `${label}: the inference worker failed`)));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new SluiceError('E_WORKER', `${label}: the inference worker exited unexpectedly (exit code ${code})`));
    });
  }

  /** Loads the model; resolves with its inputs and outputs. */
  async load(
    modelPath: string,
    sessionOptions: WorkerSessionOptions,
  ): Promise<{ inputs: ValueInfo[]; outputs: ValueInfo[]; providers: string[] }> {
    const response = await this.request({ type: 'load', id: 0, modelPath, sessionOptions });
    if (response.type !== 'loaded') throw new SluiceError('E_INTERNAL', `${this.label}: unexpected ${response.type} reply to load`);
    return response;
  }

  /** Runs one window; the planes are transferred to the worker. */
  async run(plan: InferencePlan, planes: Float32Array[], signal?: AbortSignal): Promise<Float32Array[][]> {
    signal?.throwIfAborted();
    const transfer = [...new Set(planes.map((plane) => plane.buffer as ArrayBuffer))];
    const response = await this.request({ type: 'run', id: 0, plan, planes }, transfer);
    if (response.type !== 'result') throw new SluiceError('E_INTERNAL', `${this.label}: unexpected ${response.type} reply to run`);
    return response.stems;
  }

  /** Makes the worker exit abruptly. For tests of the crash path. @internal */
  crashForTesting(): void {
    this.worker.postMessage({ type: 'crash' } satisfies WorkerRequest);
  }

  /** Releases the session and ends the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === undefined) {
      await this.request({ type: 'close', id: 0 }).catch(() => undefined);
    }
    this.closed = true;
    await this.worker.terminate();
    this.fail(new SluiceError('E_CLOSED', `${this.label}: the model was closed`));
  }

  private request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new SluiceError('E_CLOSED', `${this.label}: the model was closed`));
    const id = this.nextId++;
    return new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private settle(response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    if (pending === undefined) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    if (response.type === 'error') {
      pending.reject(new SluiceError(response.code as SluiceErrorCode, `${this.label}: ${response.message}`));
    } else {
      pending.resolve(response);
    }
  }

  private fail(error: SluiceError): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}
