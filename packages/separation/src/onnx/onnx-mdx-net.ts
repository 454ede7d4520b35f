import { SluiceError } from '@sluice/core';
import { checkMdxConfig, mdxSegmentFrames } from '../stft/mdx-stft';
import type { Chunking } from '../processor/overlap-add';
import { mdxPlan } from './contracts';
import { type OnnxModelOptions, OnnxSeparationModel, loadSession } from './onnx-model';

/** Options for {@link OnnxMdxNet.load}: UVR's model data for the file. */
export interface OnnxMdxNetOptions extends OnnxModelOptions {
  /** FFT size (UVR's `mdx_n_fft_scale_set`, e.g. 6144 or 7680). */
  nFft: number;
  /** Hop (default 1024). */
  hop?: number;
  /** Frequency bins the model takes (default: read from the model). */
  dimF?: number;
  /** Frames per segment (default: read from the model; UVR's `2 ** mdx_dim_t_set`). */
  dimT?: number;
  /** Gain applied to the primary stem (UVR's `compensate`, default 1). */
  compensate?: number;
  /** Name of the stem the model outputs (default `'vocals'`). */
  primaryStem?: string;
  /** UVR's denoise: run the model on the spectrum and its negation and average (twice the time). */
  denoise?: boolean;
  /** Name of mix − primary (default `'instrumental'` for vocals, `'vocals'` for instrumental, else `no_<primary>`). */
  secondaryStem?: string;
}

function secondaryName(primary: string): string {
  if (primary === 'vocals') return 'instrumental';
  if (primary === 'instrumental') return 'vocals';
  return `no_${primary}`;
}

/**
 * A UVR MDX-Net ONNX model: input and output [batch, 4, dimF, dimT], the
 * STFT on the host (n_fft, hop, periodic Hann, centred, not normalised),
 * the first 3 bins zeroed as UVR does, primary stem × `compensate`, and
 * the secondary stem = mix − primary.
 */
export class OnnxMdxNet extends OnnxSeparationModel {
  /** UVR feeds MDX-Net models the audio as it is (no mean/std normalisation). */
  readonly normalizedInput = false;

  /** UVR's chunking: `trim = n_fft // 2` zeros first, Hann-weighted chunks (see {@link Chunking}). */
  get chunking(): Chunking {
    const plan = this.plan;
    return { kind: 'uvr', trim: plan.kind === 'mdx' ? Math.floor(plan.config.nFft / 2) : 0 };
  }

  /** Loads a model in a worker thread and checks its shape (`E_MODEL` when it does not fit). */
  static async load(modelPath: string, options: OnnxMdxNetOptions): Promise<OnnxMdxNet> {
    const label = `OnnxMdxNet(${modelPath})`;
    if (!(options.compensate === undefined || (Number.isFinite(options.compensate) && options.compensate > 0))) {
      throw new SluiceError('E_INVALID_ARGUMENT', `${label}: compensate must be a positive number, got ${options.compensate}`);
    }
    const loaded = await loadSession(modelPath, options.session ?? {}, label);
    try {
      const plan = mdxPlan(options, options.compensate ?? 1, loaded.inputs, loaded.outputs, modelPath);
      if (plan.kind !== 'mdx') throw new SluiceError('E_INTERNAL', 'expected an MDX plan');
      checkMdxConfig(plan.config);
      if (options.denoise) plan.denoise = true;
      const primary = options.primaryStem ?? 'vocals';
      const stems = [primary, options.secondaryStem ?? secondaryName(primary)];
      return new OnnxMdxNet('mdx-net', stems, options.sampleRate ?? 44100, mdxSegmentFrames(plan.config), plan, loaded);
    } catch (error) {
      await loaded.worker.close();
      throw error;
    }
  }
}
