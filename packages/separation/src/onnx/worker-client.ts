import { SluiceError } from '@sluice/core';
import { startPackageWorker } from '@sluice/core/internal';
import { WorkerRequests } from '../worker/request-client';
import type { InferencePlan, ValueInfo, WorkerRequest, WorkerResponse, WorkerSessionOptions } from './protocol';

/**
 * The main thread's side of an inference worker: load, run and close, each
 * a request answered by id (see {@link WorkerRequests}: referenced only
 * while requests are pending, every pending request failed with `E_WORKER`
 * when the worker dies).
 */
export class InferenceWorker {
  private readonly requests: WorkerRequests<WorkerResponse>;
  private closed = false;

  constructor(private readonly label: string) {
    const worker = startPackageWorker(import.meta.url, 'inference-worker', './inference-worker.ts');
    this.requests = new WorkerRequests<WorkerResponse>(worker, label, 'inference worker', () => this.closed);
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
    this.requests.worker.postMessage({ type: 'crash' } satisfies WorkerRequest);
  }

  /** Releases the session and ends the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.requests.failed === undefined) await this.request({ type: 'close', id: 0 }).catch(() => undefined);
    this.closed = true;
    await this.requests.worker.terminate();
    this.requests.fail(new SluiceError('E_CLOSED', `${this.label}: the model was closed`));
  }

  private request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    if (this.closed) return Promise.reject(new SluiceError('E_CLOSED', `${this.label}: the model was closed`));
    return this.requests.request(message, transfer);
  }
}
