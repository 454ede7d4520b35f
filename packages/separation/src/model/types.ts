import type { Chunking } from '../processor/overlap-add';

/** Stem name → planar audio (one Float32Array per channel). */
export type StemPlanes = Record<string, Float32Array[]>;

/**
 * What every separator offers the streaming processor and `separate()`: a
 * fixed set of stems, the sample rate it works at, and inference on one
 * window of audio. ONNX models run in a worker thread; the DSP separator
 * runs in-process.
 */
export interface SeparationModel {
  /** A name for stats and messages. */
  readonly name: string;
  /** Stem names in output order, e.g. drums, bass, other, vocals. */
  readonly stems: readonly string[];
  /** The sample rate the model expects (44100 for HTDemucs and MDX-Net). */
  readonly sampleRate: number;
  /** Channels the model takes (2 for every model here; mono input is duplicated). */
  readonly channels: number;
  /**
   * Frames of one inference window. Fixed for exported models (343980 for
   * HTDemucs: 7.8 s at 44.1 kHz); the processor may use shorter segments,
   * fed at the start of this window with zeros after them, as demucs'
   * `apply_model(segment=…)` feeds HTDemucs.
   */
  readonly segmentFrames: number;
  /**
   * Whether the model was trained on normalised input (demucs normalises
   * the track by its mean and standard deviation first). True for the
   * ONNX models; false for the DSP separator, whose stems must sum to the
   * mix exactly. Sets the processor's and `separate()`'s default; absent
   * means true.
   */
  readonly normalizedInput?: boolean;
  /** How the model's authors cut a track into windows (default demucs' `apply_model`; UVR's for MDX-Net). */
  readonly chunking?: Chunking;
  /**
   * Separates one window: `window` holds `channels` planes of exactly
   * `segmentFrames` frames; the result holds, per stem, `channels` planes of
   * the same length. The planes passed in may be transferred (detached).
   */
  infer(window: Float32Array[], signal?: AbortSignal): Promise<StemPlanes>;
  /** Releases the worker and the inference session. Idempotent. */
  close(): Promise<void>;
}
