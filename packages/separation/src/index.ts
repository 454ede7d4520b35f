/**
 * @packageDocumentation
 * `@sluice/separation`: source separation as a streaming processor.
 * HTDemucs (waveform and split ONNX exports) and MDX-Net models run in a
 * worker thread on onnxruntime; `DspSeparator` needs no weights. The
 * `SeparationProcessor` overlap-adds segments exactly as demucs does, with
 * constant memory; `separate()` does whole inputs with demucs' shifts.
 */
// Declares this package's error codes into core's registry (types only).
import './errors';
export type { SeparationModel, StemPlanes } from './model/types';
export { DSP_STEMS, DspSeparator, type DspSeparatorOptions } from './dsp/dsp-separator';
export type { VocalCues } from './dsp/masks';
export { ThreadedDspSeparator, type ThreadedDspSeparatorOptions } from './dsp/threaded-dsp-separator';
export { BagOfModels, type BagOfModelsOptions, LazyBag, type MemberLoader } from './bag/bag-of-models';
export { HTDEMUCS_6S_STEMS, HTDEMUCS_STEMS, OnnxHTDemucs, type OnnxHTDemucsOptions } from './onnx/onnx-htdemucs';
export { OnnxMdxNet, type OnnxMdxNetOptions } from './onnx/onnx-mdx-net';
export { type OnnxModelOptions, OnnxSeparationModel, type OnnxSessionOptions } from './onnx/onnx-model';
export { HTDEMUCS_SEGMENT_FRAMES, type HTDemucsContract } from './onnx/contracts';
export type { ValueInfo } from './onnx/protocol';
export { SeparationProcessor, type SeparationProcessorOptions } from './processor/separation-processor';
export { type Normalization, RunningStats, streamStats, trackStats } from './processor/normalization';
export { transitionWeights } from './processor/overlap-add';
export { type SeparateOptions, type SeparationResult, separate } from './separate';
export {
  DEMUCS_BINS,
  DEMUCS_HOP,
  DEMUCS_NFFT,
  type DemucsSpectrogram,
  demucsFrames,
  demucsIstft,
  demucsStft,
  padReflect,
} from './stft/demucs-stft';
export { type MdxStftConfig, mdxIstft, mdxSegmentFrames, mdxStft } from './stft/mdx-stft';
export { StemMix, type StemMixOptions, StemSelect } from './stems/stem-mix';
export { MODEL_CATALOG, type ModelFile, type ModelLayout, type RegistryModel } from './registry/catalog';
export { modelsDirectory } from './registry/cache-dir';
export type { DownloadProgress } from './registry/download';
export {
  type LoadModelOptions,
  type ModelStatus,
  type PullOptions,
  type RegistryOptions,
  findModel,
  listModels,
  loadModel,
  modelPaths,
  pullModel,
  removeModel,
} from './registry/models';
