/** Where a stage sits in a pipeline. */
export type StageKind = 'source' | 'processor' | 'sink';

/** Counters for one stage of a pipeline. */
export interface StageStats {
  /** The stage's name. */
  readonly name: string;
  /** Source, processor or sink. */
  readonly kind: StageKind;
  /** Chunks this stage produced (source, processor) or consumed (sink). */
  readonly chunks: number;
  /** Frames this stage produced or consumed. */
  readonly frames: number;
  /** Seconds spent inside this stage (waiting on it included: a slow source or a full sink shows here). */
  readonly busySeconds: number;
  /** Audio seconds handled per busy second: how much faster than real time this stage alone runs. */
  readonly speed: number;
}

/** Life cycle of a pipeline. */
export type PipelineState = 'idle' | 'running' | 'done' | 'stopped' | 'failed';

/**
 * Statistics of a pipeline run. Speed is always `audio seconds / processing
 * seconds` ("× real time"): above 1 is faster than real time.
 */
export interface PipelineStats {
  /** Current state. */
  readonly state: PipelineState;
  /** Chunks read from the source. */
  readonly inputChunks: number;
  /** Frames read from the source. */
  readonly inputFrames: number;
  /** Chunks delivered to the sinks (each chunk counted once, however many sinks). */
  readonly chunks: number;
  /** Frames delivered to the sinks. */
  readonly frames: number;
  /** Bytes of sample data delivered (frames × channels × 4, float32). */
  readonly bytes: number;
  /** Seconds of audio read from the source. */
  readonly audioSeconds: number;
  /** Wall-clock seconds the pipeline has been running. */
  readonly processingSeconds: number;
  /** `audioSeconds / processingSeconds`: × real time. */
  readonly speed: number;
  /** Sum of the processors' declared latencies, in output frames. */
  readonly latencyFrames: number;
  /** Per-stage counters: the source, each processor, each sink. */
  readonly stages: readonly StageStats[];
}

/** Mutable counters behind {@link StageStats}. @internal */
export class StageCounter {
  chunks = 0;
  frames = 0;
  busyMs = 0;
  constructor(
    readonly name: string,
    readonly kind: StageKind,
  ) {}

  snapshot(sampleRate: number): StageStats {
    const busySeconds = this.busyMs / 1000;
    const audio = this.frames / sampleRate;
    return {
      name: this.name,
      kind: this.kind,
      chunks: this.chunks,
      frames: this.frames,
      busySeconds,
      speed: busySeconds > 0 ? audio / busySeconds : 0,
    };
  }

  reset(): void {
    this.chunks = 0;
    this.frames = 0;
    this.busyMs = 0;
  }
}

/** Formats stats as one human line: `12.0 s of audio in 0.10 s (120× real time), 517 chunks`. */
export function formatStats(stats: PipelineStats): string {
  const speed = stats.speed >= 100 ? stats.speed.toFixed(0) : stats.speed.toFixed(1);
  return `${stats.audioSeconds.toFixed(1)} s of audio in ${stats.processingSeconds.toFixed(3)} s (${speed}× real time), ${stats.chunks} chunks, ${stats.frames} frames`;
}
