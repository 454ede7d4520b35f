import { type AudioChunk, makeChunk } from '../chunk/audio-chunk';
import { ChunkStamper } from '../chunk/chunk-stamper';
import { type AudioFormat, describeFormat, sameFormat, validateFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import { type Processor, type ProcessorOutput, isPromiseLike } from '../stream/types';
import type { StageTimer } from './stage-timer';
import { StageCounter, type StageStats } from './stats';

/** What a {@link ProcessorChain} needs from the pipeline that runs it. */
export interface ChainHooks {
  /** The run's sampled clock: each synchronous call is timed against it. */
  readonly timer: StageTimer;
  /** Awaits an asynchronous answer so that stop() or an abort can cut it short. */
  interruptible<T>(promise: PromiseLike<T>): Promise<T>;
  /** True for the reason the run is being interrupted, which passes through a processor's failure unwrapped. */
  isInterruption(error: unknown): boolean;
}

interface ProcessorStage {
  processor: Processor;
  counter: StageCounter;
  stamper: ChunkStamper;
  output: AudioFormat;
  /**
   * The stage's outputs when it returns one chunk, the common case: one array rewritten in place (never resized),
   * since each batch is consumed before the pipeline pulls the next source chunk.
   */
  single: AudioChunk[];
}

/** A stage's outputs so far: undefined until the processor returns a chunk. */
type Outputs = AudioChunk[] | undefined;

/**
 * A pipeline's processors, opened in order, and the running of chunks
 * through them: each stage's answers numbered, checked against the format it
 * declared and marked final at the end. The synchronous path stays
 * synchronous and allocates nothing for a stage that answers one chunk; the
 * first promise makes the rest of the batch asynchronous.
 */
export class ProcessorChain {
  #stages: ProcessorStage[] = [];

  constructor(
    private readonly processors: readonly Processor[],
    private readonly hooks: ChainHooks,
  ) {}

  /** The number of opened stages (0 before {@link open}). */
  get length(): number {
    return this.#stages.length;
  }

  /** Opens every processor on the format it will get; returns the format that comes out of the last one. */
  open(input: AudioFormat): AudioFormat {
    let format = input;
    this.#stages = [];
    for (const [i, processor] of this.processors.entries()) {
      const name = processor.name ?? `processor-${i}`;
      let output: AudioFormat | undefined | void;
      try {
        output = processor.open?.(format);
      } catch (error) {
        throw SluiceError.wrap(error, 'E_FORMAT', `Processor "${name}" cannot take ${describeFormat(format)}`);
      }
      const outputFormat = output ? validateFormat(output, `Processor "${name}" output`) : format;
      this.#stages.push({
        processor,
        counter: new StageCounter(name, 'processor'),
        stamper: new ChunkStamper(outputFormat),
        output: outputFormat,
        single: [undefined as unknown as AudioChunk],
      });
      format = outputFormat;
    }
    return format;
  }

  /** Each stage's statistics, in order. */
  snapshots(): StageStats[] {
    return this.#stages.map((stage) => stage.counter.snapshot(stage.output.sampleRate));
  }

  /** Lets go of the last chunks the stages' reused arrays hold (and their audio), once a run is over. */
  release(): void {
    for (const stage of this.#stages) stage.single[0] = undefined as unknown as AudioChunk;
  }

  /** Forgets the opened stages, for another run. */
  clear(): void {
    this.#stages = [];
  }

  /**
   * Runs chunks through the processors from stage `from` on; `ended` means no
   * input follows, so each stage flushes. Stays synchronous while the
   * processors do, and continues asynchronously from the first promise.
   */
  run(batch: AudioChunk[], ended: boolean, from = 0): AudioChunk[] | Promise<AudioChunk[]> {
    const stages = this.#stages;
    for (let index = from; index < stages.length; index++) {
      const stage = stages[index] as ProcessorStage;
      const outputs = this.runStage(stage, batch, ended, undefined, 0);
      if (isPromiseLike(outputs)) {
        return outputs.then((value) => this.run(stamp(stage, value ?? noOutput(ended), ended), ended, index + 1));
      }
      batch = stamp(stage, outputs ?? noOutput(ended), ended);
    }
    return batch;
  }

  /**
   * Feeds `batch[start..]` (then flush, when ended) to one processor, adding
   * what it returns to `outputs` (undefined until it returns something);
   * returns a promise only if it went asynchronous.
   */
  private runStage(
    stage: ProcessorStage,
    batch: AudioChunk[],
    ended: boolean,
    outputs: Outputs,
    start: number,
  ): Outputs | Promise<Outputs> {
    let collected = outputs;
    const timer = this.hooks.timer;
    for (let i = start; i < batch.length; i++) {
      const next = this.step(stage, batch[i] as AudioChunk, collected, timer.weight);
      if (isPromiseLike(next)) return next.then((value) => this.runStage(stage, batch, ended, value, i + 1));
      collected = next;
    }
    if (!ended || stage.processor.flush === undefined) return collected;
    // Flushing happens once: always timed, from a fresh clock.
    timer.restart();
    return this.step(stage, undefined, collected, 1);
  }

  /**
   * One call into a processor: `process(chunk)`, or `flush()` when `chunk` is
   * undefined. Collects the output and, when `weight` > 0, adds the call's
   * time × weight to the stage. Returns a promise only for an asynchronous
   * answer; the synchronous path creates no closures (it runs per chunk).
   */
  private step(stage: ProcessorStage, chunk: AudioChunk | undefined, outputs: Outputs, weight: number): Outputs | Promise<Outputs> {
    const { processor, counter } = stage;
    const seq = chunk === undefined ? -1 : chunk.seq;
    let result: ProcessorOutput | Promise<ProcessorOutput>;
    try {
      result = chunk === undefined ? (processor.flush as NonNullable<Processor['flush']>).call(processor) : processor.process(chunk);
    } catch (error) {
      throw this.processorError(error, counter.name, seq);
    }
    if (!isPromiseLike(result)) {
      counter.busyMs += this.hooks.timer.lap(weight);
      return collect(stage.single, outputs, result);
    }
    return this.hooks.interruptible(result).then(
      (value) => {
        counter.busyMs += this.hooks.timer.lap(weight);
        return collect(stage.single, outputs, value);
      },
      (error: unknown) => {
        throw this.processorError(error, counter.name, seq);
      },
    );
  }

  private processorError(error: unknown, name: string, seq: number): SluiceError {
    if (this.hooks.isInterruption(error)) return error as SluiceError;
    const where = seq < 0 ? 'while flushing' : `on chunk ${seq}`;
    return SluiceError.wrap(error, 'E_PROCESSOR', `Processor "${name}" failed ${where}`);
  }
}

/** An empty final chunk: the end of a stream whose last stage (or source) gave no final chunk. */
export function endMarker(format: AudioFormat): AudioChunk {
  const planes = Array.from({ length: format.channels }, () => new Float32Array(0));
  return makeChunk(format, planes, 0, 0, 0, true);
}

/** Numbers a stage's outputs and marks the last one final when the stream ended. */
function stamp(stage: ProcessorStage, outputs: AudioChunk[], ended: boolean): AudioChunk[] {
  if (ended && outputs.length === 0) outputs.push(endMarker(stage.output));
  const last = outputs.length - 1;
  for (let i = 0; i <= last; i++) {
    const chunk = outputs[i] as AudioChunk;
    if (!sameFormat(chunk.format, stage.output)) {
      throw new SluiceError(
        'E_FORMAT',
        `Processor "${stage.counter.name}" emitted ${describeFormat(chunk.format)} but declared ${describeFormat(stage.output)} (return the output format from open())`,
      );
    }
    stage.counter.chunks++;
    stage.counter.frames += chunk.frames;
    outputs[i] = stage.stamper.restamp(chunk, ended && i === last);
  }
  return outputs;
}

/**
 * Adds a processor's answer to a stage's outputs. A first single chunk goes into the stage's reused one-element
 * array `single` (an identity pipeline then allocates nothing per chunk); a second output copies it out first, so
 * that array never grows.
 */
function collect(single: AudioChunk[], outputs: Outputs, result: ProcessorOutput): Outputs {
  if (result === null || result === undefined) return outputs;
  if (Array.isArray(result)) {
    const chunks = result as readonly AudioChunk[];
    // A copy when it is the first: the processor may reuse its array.
    if (outputs === undefined) return chunks.slice();
    const grown = outputs === single ? [single[0] as AudioChunk] : outputs;
    for (const chunk of chunks) grown.push(chunk);
    return grown;
  }
  if (outputs === undefined) {
    single[0] = result as AudioChunk;
    return single;
  }
  if (outputs === single) return [single[0] as AudioChunk, result as AudioChunk];
  outputs.push(result as AudioChunk);
  return outputs;
}

/**
 * Shared by every stage that returned nothing for a chunk; a fresh array at the end, where stamp() adds the end
 * marker. Frozen, so that a write to it would throw rather than reach another stage.
 */
const NO_OUTPUT = Object.freeze([]) as unknown as AudioChunk[];
function noOutput(ended: boolean): AudioChunk[] {
  return ended ? [] : NO_OUTPUT;
}
