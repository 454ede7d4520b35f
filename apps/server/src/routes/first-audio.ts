import type { AudioChunk, AudioFormat, Processor } from '@sluice/core';

/** How a stream that is ahead of its listener steps aside (see {@link FirstAudioFirst}). */
export interface FirstAudioOptions {
  /** A stream this many seconds of audio ahead of real time (since its first audio) yields (default 2). */
  aheadSeconds?: number;
  /** The longest one yield lasts, so nothing starves however many streams arrive (default 250 ms). */
  maxWaitMs?: number;
}

/**
 * Speech streams still waiting for their first audio, counted across the
 * server. The eSpeak pool already synthesizes every stream's first sentence
 * before any stream's later ones; this does the same for the main thread's
 * work (encoding, writing): a stream well ahead of its listener lets newer
 * streams through first. Work is reordered, not added: throughput stays.
 */
export class FirstAudioFirst {
  private waiting = 0;
  private waiters = new Set<() => void>();

  constructor(private readonly options: FirstAudioOptions = {}) {}

  /** Streams that have not sent audio yet. */
  get pending(): number {
    return this.waiting;
  }

  /** A pipeline stage for one new stream: counts it as waiting until its first chunk passes. */
  stage(): FirstAudioStage {
    this.waiting++;
    let counted = true;
    return new FirstAudioStage(this, this.options, () => {
      if (!counted) return;
      counted = false;
      this.waiting--;
      if (this.waiting === 0) for (const wake of [...this.waiters]) wake();
    });
  }

  /** Resolves when no stream waits for its first audio, or after `maxWaitMs`. */
  clear(maxWaitMs: number): Promise<void> {
    if (this.waiting === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, maxWaitMs);
      this.waiters.add(wake);
    });
  }
}

/** One stream's stage: passes chunks through, marks its first audio, and yields while it is ahead and others wait. */
export class FirstAudioStage implements Processor {
  readonly name = 'first-audio-first';
  private format: AudioFormat | undefined;
  private firstAt = 0;
  private sentFrames = 0;

  constructor(
    private readonly gate: FirstAudioFirst,
    private readonly options: FirstAudioOptions,
    /** Stops counting this stream as waiting (idempotent): at its first chunk, or when it ends without one. */
    readonly release: () => void,
  ) {}

  open(format: AudioFormat): AudioFormat {
    this.format = format;
    return format;
  }

  async process(chunk: AudioChunk): Promise<AudioChunk> {
    if (this.sentFrames === 0) {
      this.firstAt = performance.now();
      this.release();
    } else if (this.gate.pending > 0) {
      const rate = this.format?.sampleRate ?? 1;
      const ahead = this.sentFrames / rate - (performance.now() - this.firstAt) / 1000;
      if (ahead > (this.options.aheadSeconds ?? 2)) await this.gate.clear(this.options.maxWaitMs ?? 250);
    }
    this.sentFrames += chunk.frames;
    return chunk;
  }
}
