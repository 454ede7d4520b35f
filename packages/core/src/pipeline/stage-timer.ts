const now = () => performance.now();

/**
 * The sampled timing of a pipeline's stages. A clock reading costs about as
 * much as a whole synchronous pipeline step (≈ 80 ns here), so the timer
 * reads the clock once per stage boundary, each reading ending one stage's
 * time and starting the next one's; and on the synchronous path it times one
 * chunk in `sampleEvery`, that chunk's times weighted to stand for the
 * chunks between. Asynchronous pulls are always timed.
 */
export class StageTimer {
  /** The last reading, in ms: where the next stage's time starts. */
  private last = 0;
  /** Chunks since the last timed one. */
  private untimed = 0;
  /** Whether the pull under way would be timed if it is answered synchronously. */
  private sampled = false;
  /** How many chunks the current chunk's times stand for; 0 while it is not timed. */
  private currentWeight = 1;

  constructor(private readonly sampleEvery: number) {}

  /** The weight of the current chunk's times (0: not timed). */
  get weight(): number {
    return this.currentWeight;
  }

  /** The last clock reading, in ms. */
  get lastReading(): number {
    return this.last;
  }

  /** A new run: counting starts over, from a reading now. */
  start(): void {
    this.untimed = 0;
    this.sampled = false;
    this.currentWeight = 1;
    this.restart();
  }

  /** Starts timing afresh from now: after a pause, before a flush. */
  restart(): void {
    this.last = now();
  }

  /** Before a pull: on the synchronous path, reads the clock when this chunk is the sampled one, so the source's time counts. */
  beforePull(synchronous: boolean): void {
    this.sampled = synchronous && this.untimed + 1 >= this.sampleEvery;
    if (this.sampled) this.restart();
  }

  /**
   * After a pull (`synchronous`: answered without a promise). Decides the
   * chunk's weight and returns the source's time × that weight, in ms (0 for
   * an untimed chunk).
   */
  afterPull(synchronous: boolean): number {
    const timed = synchronous ? this.sampled : true;
    this.untimed++;
    this.currentWeight = timed ? this.untimed : 0;
    if (!timed) return 0;
    this.untimed = 0;
    return this.lap();
  }

  /** Ends the current stage's time: ms since the last reading × `weight` (0, and no reading, when the weight is 0). */
  lap(weight = this.currentWeight): number {
    if (weight === 0) return 0;
    const reading = now();
    const elapsed = (reading - this.last) * weight;
    this.last = reading;
    return elapsed;
  }
}
