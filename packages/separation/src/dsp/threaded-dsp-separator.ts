import { availableParallelism } from 'node:os';
import { SluiceError } from '@sluice/core';
import { startPackageWorker } from '@sluice/core/internal';
import type { SeparationModel, StemPlanes } from '../model/types';
import { WorkerRequests } from '../worker/request-client';
import { DspSeparator, type DspSeparatorOptions } from './dsp-separator';
import type { DspWorkerReply } from './dsp-worker';

/** Options for {@link ThreadedDspSeparator}: the separator's, and how many worker threads share the windows. */
export interface ThreadedDspSeparatorOptions extends DspSeparatorOptions {
  /** Worker threads (default: the cores, at most 2, which is what the processor's two windows in flight can keep busy). */
  workers?: number;
}

interface DspWorker {
  requests: WorkerRequests<DspWorkerReply>;
  busy: number;
}

/**
 * {@link DspSeparator} in worker threads: the same stems, sample for
 * sample, without blocking the caller's event loop (a server stays
 * responsive while it separates). Each window goes to the least busy
 * worker, so the windows a {@link SeparationProcessor} keeps in flight are
 * separated side by side. Workers start on first use, are referenced only
 * while a window is being separated, and end at `close()`.
 */
export class ThreadedDspSeparator implements SeparationModel {
  /** The separator the workers run, built here too: it checks the options at once and describes the stems. */
  private readonly local: DspSeparator;
  private readonly options: DspSeparatorOptions;
  private readonly workers: (DspWorker | undefined)[];
  private closed = false;

  constructor(options: ThreadedDspSeparatorOptions = {}) {
    const { workers = Math.min(2, availableParallelism()), ...separator } = options;
    if (!Number.isInteger(workers) || workers < 1)
      throw new SluiceError('E_INVALID_ARGUMENT', `ThreadedDspSeparator: workers must be a positive integer, got ${workers}`);
    this.local = new DspSeparator(separator);
    this.options = separator;
    this.workers = Array.from({ length: workers }, () => undefined);
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

  /** Separates one window in the least busy worker (its planes are transferred). */
  async infer(window: Float32Array[]): Promise<StemPlanes> {
    if (this.closed) throw new SluiceError('E_CLOSED', 'dsp: the separator was closed');
    const worker = this.leastBusy();
    const transfer = [...new Set(window.map((plane) => plane.buffer as ArrayBuffer))];
    worker.busy++;
    try {
      const reply = await worker.requests.request({ options: this.options, window }, transfer);
      if (reply.type !== 'result') throw new SluiceError('E_INTERNAL', `dsp: unexpected ${reply.type} reply`);
      return (reply as Extract<DspWorkerReply, { type: 'result' }>).stems;
    } finally {
      worker.busy--;
    }
  }

  /**
   * Starts every worker and separates a short silent window in each, so the
   * first real window does not pay for thread start-up and module loading
   * (a server calls this before it reports ready).
   */
  async warmUp(): Promise<void> {
    const frames = Math.min(this.segmentFrames, 8192);
    const windows = this.workers.map(() => Array.from({ length: this.channels }, () => new Float32Array(frames)));
    await Promise.all(windows.map((window) => this.infer(window)));
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    this.closed = true;
    const started = this.workers.filter((worker) => worker !== undefined);
    this.workers.fill(undefined);
    await Promise.all(
      started.map(async ({ requests }) => {
        await requests.worker.terminate();
        requests.fail(new SluiceError('E_CLOSED', 'dsp: the separator was closed'));
      }),
    );
  }

  /** An idle worker if there is one (starting it when it has not been), else the one with the fewest windows. */
  private leastBusy(): DspWorker {
    let best = 0;
    for (let i = 0; i < this.workers.length; i++) {
      const worker = this.workers[i];
      if (worker === undefined || worker.busy === 0) {
        best = i;
        break;
      }
      if (worker.busy < (this.workers[best] as DspWorker).busy) best = i;
    }
    const chosen = (this.workers[best] ??= {
      requests: new WorkerRequests<DspWorkerReply>(
        startPackageWorker(import.meta.url, 'dsp-worker', './dsp-worker.ts'),
        'dsp',
        'separation worker',
        () => this.closed,
      ),
      busy: 0,
    });
    return chosen;
  }
}
