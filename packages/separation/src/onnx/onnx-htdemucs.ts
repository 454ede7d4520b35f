import { SluiceError } from '@sluice/core';
import { type HTDemucsContract, htdemucsPlan } from './contracts';
import { type OnnxModelOptions, OnnxSeparationModel, loadSession } from './onnx-model';

/** demucs' stem order for 4-stem models. */
export const HTDEMUCS_STEMS = ['drums', 'bass', 'other', 'vocals'] as const;
/** demucs' stem order for 6-stem models (htdemucs_6s). */
export const HTDEMUCS_6S_STEMS = ['drums', 'bass', 'other', 'vocals', 'guitar', 'piano'] as const;

/** Options for {@link OnnxHTDemucs.load}. */
export interface OnnxHTDemucsOptions extends OnnxModelOptions {
  /** Which export this is (default `'auto'`: whichever the model's inputs and outputs fit). */
  contract?: HTDemucsContract | 'auto';
  /** Stem names in output order (default: demucs' order for 4 or 6 stems). */
  stems?: readonly string[];
}

/**
 * An HTDemucs ONNX export, either contract:
 * - `waveform`: input float32 [1, 2, 343980], output [1, S, 2, 343980] (STFT inside the graph);
 * - `split`: inputs the waveform and its demucs spectrogram [1, 4, 2048, 336]
 *   (L.re, L.im, R.re, R.im), outputs a spectral branch [1, S, 4, 2048, 336]
 *   and a time branch [1, S, 2, 343980]; the stems are iSTFT(spectral) + time.
 * Names are read from the model; shapes are checked when it loads.
 */
export class OnnxHTDemucs extends OnnxSeparationModel {
  /** Which contract the model honours. */
  get contract(): HTDemucsContract {
    return this.plan.kind as HTDemucsContract;
  }

  /** Loads a model in a worker thread and checks its contract (`E_MODEL` when it fits none). */
  static async load(modelPath: string, options: OnnxHTDemucsOptions = {}): Promise<OnnxHTDemucs> {
    const label = `OnnxHTDemucs(${modelPath})`;
    const loaded = await loadSession(modelPath, options.session ?? {}, label);
    try {
      const plan = htdemucsPlan(options.contract ?? 'auto', loaded.inputs, loaded.outputs, modelPath);
      if (plan.kind === 'mdx') throw new SluiceError('E_INTERNAL', 'unexpected MDX plan');
      const stems = options.stems ?? (plan.stems === 4 ? HTDEMUCS_STEMS : plan.stems === 6 ? HTDEMUCS_6S_STEMS : undefined);
      if (stems === undefined || stems.length !== plan.stems) {
        throw new SluiceError(
          'E_MODEL',
          `${label}: the model has ${plan.stems} stems; pass ${stems === undefined ? 'their names as' : `${plan.stems} names in`} options.stems`,
        );
      }
      return new OnnxHTDemucs('htdemucs', stems, options.sampleRate ?? 44100, plan.frames, plan, loaded);
    } catch (error) {
      await loaded.worker.close();
      throw error;
    }
  }
}
