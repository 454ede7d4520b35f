import type { MdxStftConfig } from '../stft/mdx-stft';

/** Name, shape and element type of a model input or output, as onnxruntime reports them. */
export interface ValueInfo {
  name: string;
  /** Dimensions; symbolic ones (dynamic axes) are strings, unknown ones -1. */
  shape: (number | string)[];
  type: string;
}

/** What the worker does with one window, fixed once the model's contract is checked. */
export type InferencePlan =
  | { kind: 'waveform'; input: string; output: string; stems: number; frames: number }
  | {
      kind: 'split';
      waveInput: string;
      specInput: string;
      waveOutput: string;
      specOutput: string;
      stems: number;
      frames: number;
    }
  | { kind: 'mdx'; input: string; output: string; config: MdxStftConfig; compensate: number; denoise?: boolean };

/** onnxruntime session options that cross the thread boundary (plain data). */
export interface WorkerSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionProviders?: string[];
  executionMode?: 'sequential' | 'parallel';
  enableCpuMemArena?: boolean;
}

/** Messages to the inference worker. */
export type WorkerRequest =
  | { type: 'load'; id: number; modelPath: string; sessionOptions: WorkerSessionOptions }
  | { type: 'run'; id: number; plan: InferencePlan; planes: Float32Array[] }
  | { type: 'close'; id: number }
  /** Makes the worker exit abruptly: lets tests check what a crash does. @internal */
  | { type: 'crash' };

/** Messages from the inference worker. */
export type WorkerResponse =
  | { type: 'loaded'; id: number; inputs: ValueInfo[]; outputs: ValueInfo[]; providers: string[] }
  | { type: 'result'; id: number; stems: Float32Array[][] }
  | { type: 'closed'; id: number }
  | { type: 'error'; id: number; code: string; message: string };
