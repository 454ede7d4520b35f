import { access } from 'node:fs/promises';
import { SluiceError } from '@sluice/core';
import type { SeparationModel, StemPlanes } from '../model/types';
import type { InferencePlan, ValueInfo, WorkerSessionOptions } from './protocol';
import { InferenceWorker } from './worker-client';

/**
 * onnxruntime session options for a model's worker. Execution providers
 * default to `['cpu']`; `['cuda', 'cpu']` uses CUDA when the installed
 * onnxruntime-node has it (its postinstall downloads the CUDA libraries,
 * which Sluice's own install skips).
 */
export type OnnxSessionOptions = WorkerSessionOptions;

/** What every ONNX-backed model accepts. */
export interface OnnxModelOptions {
  /** onnxruntime session options (threads, graph optimisation, execution providers). */
  session?: OnnxSessionOptions;
  /** Sample rate the model was trained at (default 44100). */
  sampleRate?: number;
}

/** A loaded session in its worker, with the model's inputs and outputs. */
export interface LoadedSession {
  worker: InferenceWorker;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  providers: string[];
}

/** Starts a worker and loads `modelPath` in it; `E_MODEL` when the file is missing or onnxruntime rejects it. */
export async function loadSession(modelPath: string, session: OnnxSessionOptions, label: string): Promise<LoadedSession> {
  try {
    await access(modelPath);
  } catch (error) {
    throw new SluiceError('E_MODEL', `${label}: model file ${modelPath} does not exist or cannot be read`, { cause: error });
  }
  const worker = new InferenceWorker(label);
  try {
    const loaded = await worker.load(modelPath, session);
    return { worker, ...loaded };
  } catch (error) {
    await worker.close();
    throw SluiceError.isInstance(error) && error.code === 'E_MODEL'
      ? new SluiceError(
          'E_MODEL',
          /not installed/.test(error.message)
            ? `${label}: ${error.message}`
            : `${label}: onnxruntime could not load ${modelPath} (corrupt or not an ONNX model?): ${error.message}`,
          {
            cause: error,
          },
        )
      : error;
  }
}

/**
 * A separation model backed by an onnxruntime session in a worker thread.
 * The main thread only sends windows and receives stems; the STFT, the
 * inference and the iSTFT all run in the worker.
 */
export class OnnxSeparationModel implements SeparationModel {
  readonly channels = 2;
  /** The model's inputs as onnxruntime reports them (names, shapes, types). */
  readonly inputs: readonly ValueInfo[];
  /** The model's outputs as onnxruntime reports them. */
  readonly outputs: readonly ValueInfo[];
  /** Execution providers the session was created with. */
  readonly providers: readonly string[];

  protected constructor(
    readonly name: string,
    readonly stems: readonly string[],
    readonly sampleRate: number,
    readonly segmentFrames: number,
    protected readonly plan: InferencePlan,
    private readonly loaded: LoadedSession,
  ) {
    this.inputs = loaded.inputs;
    this.outputs = loaded.outputs;
    this.providers = loaded.providers;
  }

  async infer(window: Float32Array[], signal?: AbortSignal): Promise<StemPlanes> {
    if (window.length !== this.channels || window.some((plane) => plane.length !== this.segmentFrames)) {
      throw new SluiceError(
        'E_FORMAT',
        `${this.name}: a window is ${this.channels} planes of ${this.segmentFrames} frames, got ${window.length} of ${window[0]?.length ?? 0}`,
      );
    }
    const out = await this.loaded.worker.run(this.plan, window, signal);
    const stems: StemPlanes = {};
    this.stems.forEach((stem, s) => {
      stems[stem] = out[s] as Float32Array[];
    });
    return stems;
  }

  /** Makes the worker exit abruptly, to exercise the crash path. @internal */
  crashWorkerForTesting(): void {
    this.loaded.worker.crashForTesting();
  }

  async close(): Promise<void> {
    await this.loaded.worker.close();
  }
}
