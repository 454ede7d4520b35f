import type { Worker } from 'node:worker_threads';
import { SluiceError, type SluiceErrorCode, startPackageWorker } from '@sluice/core';
import type { SeparationModel, StemPlanes } from '../model/types';
import { DSP_STEMS, DspSeparator, type DspSeparatorOptions } from './dsp-separator';

/**
 * {@link DspSeparator} in a worker thread: the same stems, sample for
 * sample, without blocking the caller's event loop (a server stays
 * responsive while it separates). The worker starts on first use, is
 * referenced only while a window is being separated, and ends at `close()`.
 */
export class ThreadedDspSeparator implements SeparationModel {
  readonly name = 'dsp';
  readonly stems = DSP_STEMS;
  readonly channels = 2;
  readonly sampleRate: number;
  readonly segmentFrames: number;
  readonly normalizedInput = false;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve(stems: StemPlanes): void; reject(error: unknown): void }>();
  private nextId = 1;
  private failure: SluiceError | undefined;

  constructor(private readonly options: DspSeparatorOptions = {}) {
    // Validates the options here, at once, as DspSeparator does.
    const check = new DspSeparator(options);
    this.sampleRate = check.sampleRate;
    this.segmentFrames = check.segmentFrames;
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startPackageWorker(import.meta.url, 'dsp-worker', './dsp-worker.ts');
    worker.unref();
    worker.on('message', (message: { id: number; stems?: StemPlanes; code?: string; message?: string }) => {
      const pending = this.pending.get(message.id);
      if (pending === undefined) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.stems !== undefined) pending.resolve(message.stems);
      else pending.reject(new SluiceError((message.code ?? 'E_INTERNAL') as SluiceErrorCode, `dsp: ${message.message}`));
    });
    const fail = (error: SluiceError) => {
      this.failure ??= error;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => fail(SluiceError.wrap(error, 'E_WORKER', 'dsp: the separation worker failed')));
    worker.on('exit', (code) => fail(new SluiceError('E_WORKER', `dsp: the separation worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Separates one window in the worker (its planes are transferred). */
  infer(window: Float32Array[]): Promise<StemPlanes> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<StemPlanes>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, options: this.options, window }, [...new Set(window.map((plane) => plane.buffer as ArrayBuffer))]);
    });
  }

  /** Ends the worker. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failure ??= new SluiceError('E_CLOSED', 'dsp: the separator was closed');
    if (worker !== undefined) await worker.terminate();
  }
}
