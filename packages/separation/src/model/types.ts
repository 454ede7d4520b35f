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
   * which are centred in this window with real audio around them, as
   * demucs' `apply_model` does.
   */
  readonly segmentFrames: number;
  /**
   * Separates one window: `window` holds `channels` planes of exactly
   * `segmentFrames` frames; the result holds, per stem, `channels` planes of
   * the same length. The planes passed in may be transferred (detached).
   */
  infer(window: Float32Array[], signal?: AbortSignal): Promise<StemPlanes>;
  /** Releases the worker and the inference session. Idempotent. */
  close(): Promise<void>;
}
