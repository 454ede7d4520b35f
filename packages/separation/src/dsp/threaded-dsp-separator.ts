import { SluiceError, startPackageWorker } from '@sluice/core';
import type { SeparationModel, StemPlanes } from '../model/types';
import { WorkerRequests } from '../worker/request-client';
import { DspSeparator, type DspSeparatorOptions } from './dsp-separator';
import type { DspWorkerReply } from './dsp-worker';

/**
 * {@link DspSeparator} in a worker thread: the same stems, sample for
 * sample, without blocking the caller's event loop (a server stays
 * responsive while it separates). The worker starts on first use, is
 * referenced only while a window is being separated, and ends at `close()`.
 */
export class ThreadedDspSeparator implements SeparationModel {
  /** The separator the worker runs, built here too: it checks the options at once and describes the stems. */
  private readonly local: DspSeparator;
  private requests: WorkerRequests<DspWorkerReply> | undefined;
  private closed = false;

  constructor(private readonly options: DspSeparatorOptions = {}) {
    this.local = new DspSeparator(options);
  }

  get name(): string {
    return this.local.name;
  }
  get stems(): readonly string[] {
    return this.local.stems;
  }
  get channels(): number {
    return this.local.channels;
  }
  get sampleRate(): number {
    return this.local.sampleRate;
  }
  get segmentFrames(): number {
    return this.local.segmentFrames;
  }
  get normalizedInput(): boolean {
    return this.local.normalizedInput;
  }

  /** Separates one window in the worker (its planes are transferred). */
  async infer(window: Float32Array[]): Promise<StemPlanes> {
    if (this.closed) throw new SluiceError('E_CLOSED', 'dsp: the separator was closed');
    this.requests ??= new WorkerRequests<DspWorkerReply>(
      startPackageWorker(import.meta.url, 'dsp-worker', './dsp-worker.ts'),
      'dsp',
      'separation worker',
      () => this.closed,
    );
    const transfer = [...new Set(window.map((plane) => plane.buffer as ArrayBuffer))];
    const reply = await this.requests.request({ options: this.options, window }, transfer);
    if (reply.type !== 'result') throw new SluiceError('E_INTERNAL', `dsp: unexpected ${reply.type} reply`);
    return (reply as Extract<DspWorkerReply, { type: 'result' }>).stems;
  }

  /** Ends the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const requests = this.requests;
    this.requests = undefined;
    if (requests === undefined) return;
    await requests.worker.terminate();
    requests.fail(new SluiceError('E_CLOSED', 'dsp: the separator was closed'));
  }
}
