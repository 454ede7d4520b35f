/**
 * @packageDocumentation
 * `@sluice/separation`: source separation. Work in progress (issue 6): so
 * far the STFT / iSTFT that HTDemucs' split ONNX export expects, matching
 * demucs step by step.
 */
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
export { DSP_STEMS, DspSeparator, type DspSeparatorOptions } from './dsp/dsp-separator';
export { StemMix, type StemMixOptions, StemSelect } from './stems/stem-mix';
