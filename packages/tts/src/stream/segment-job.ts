import { SluiceError } from '@sluice/core';
import type { SynthesisEvent, SynthesizeOptions, TtsEngine } from '../engine/types';
import type { TextSegment } from '../segmenter/segment-text';

/** Shared accounting of audio held by all jobs, so the stream's buffer stays bounded. */
export interface AudioBudget {
  /** Frames (at the engine rate) held now. */
  held: number;
  /** Largest number of frames to hold. */
  readonly limit: number;
  /** Resolves when frames have been consumed (or the stream closed). */
  space(): Promise<void>;
}

/**
 * One segment being synthesized: runs the engine and keeps its events in
 * order until the stream consumes them. Waits for room when the stream's
 * audio budget is spent, so a fast engine cannot fill memory.
 */
export class SegmentJob {
  readonly events: SynthesisEvent[] = [];
  finished = false;
  error: SluiceError | undefined;
  /** Frames of audio this job produced in all. */
  frames = 0;
  /** Frames produced and not yet consumed. */
  held = 0;
  private wake: (() => void) | undefined;

  constructor(
    readonly index: number,
    readonly segment: TextSegment,
    private readonly engine: TtsEngine,
    private readonly options: SynthesizeOptions,
    private readonly budget: AudioBudget,
    private readonly signal: AbortSignal,
    private readonly isHead: () => boolean,
  ) {}

  /** Runs the synthesis; never rejects (failures are kept in `error`). */
  async run(): Promise<void> {
    try {
      for await (const event of this.engine.synthesize(this.segment.text, this.options, this.signal)) {
        if (this.signal.aborted) break;
        this.events.push(event);
        if (event.type === 'audio') {
          this.frames += event.samples.length;
          this.held += event.samples.length;
          this.budget.held += event.samples.length;
        }
        this.notify();
        // Every job waits while the stream holds too much, except the job being played when it has nothing
        // left to consume: only consuming it can free space, so waiting then would deadlock.
        while (!this.signal.aborted && this.budget.held > this.budget.limit && !(this.isHead() && this.held === 0))
          await this.budget.space();
      }
    } catch (error) {
      this.error = SluiceError.wrap(
        error,
        'E_TTS_SERVICE',
        `${this.engine.name}: synthesis failed for text [${this.segment.start}, ${this.segment.end})`,
      );
    } finally {
      this.finished = true;
      this.notify();
    }
  }

  /** Resolves when there is something new (an event, the end). */
  changed(): Promise<void> {
    if (this.events.length > 0 || this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /**
   * Wakes a consumer waiting in {@link changed} although nothing new came: the stream failed or closed, and the
   * engine may not end its synthesis promptly (a worker still loading), which would otherwise hold the consumer.
   */
  interrupt(): void {
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
