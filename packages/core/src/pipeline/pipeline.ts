import { EventEmitter } from 'node:events';
import { type AudioChunk, assertChunkFormat } from '../chunk/audio-chunk';
import { type AudioFormat, validateFormat } from '../format/audio-format';
import { SluiceError, abortError } from '../errors/sluice-error';
import { type Deferred, deferred, withTimeout } from '../internal/timeout';
import { type Processor, type Sink, type Source, canPullSync, isPromiseLike, yieldsCheckedChunks } from '../stream/types';
import { ProcessorChain, endMarker } from './processor-chain';
import { SinkFanout } from './sink-fanout';
import { StageTimer } from './stage-timer';
import { type PipelineState, type PipelineStats, StageCounter } from './stats';

/** Options for {@link Pipeline}. */
export interface PipelineOptions {
  /** Where audio comes from. */
  source: Source;
  /** Processors, applied in order. */
  processors?: readonly Processor[];
  /** One sink; use `sinks` for fan-out. */
  sink?: Sink;
  /** Several sinks: every chunk goes to each; the slowest sets the pace. */
  sinks?: readonly Sink[];
  /** Aborts the run: sinks are aborted and `wait()` rejects with `E_ABORTED`. */
  signal?: AbortSignal;
  /** A sink write that does not settle within this time fails the run with `E_TIMEOUT` (default: no limit). */
  sinkTimeoutMs?: number;
  /** Upper bound for a sink's close/abort and a source's close at the end (default 30 s). */
  closeTimeoutMs?: number;
  /** Minimum interval between `progress` events (default 250 ms). */
  progressIntervalMs?: number;
}

/** Options for {@link Pipeline.wait}. */
export interface WaitOptions {
  /** Reject with `E_TIMEOUT` if the run has not finished by then; the pipeline keeps running. */
  timeoutMs?: number;
}

/** Events a {@link Pipeline} emits. */
export interface PipelineEvents {
  /** Stats, at most every `progressIntervalMs`, and once at the end. */
  progress: [stats: PipelineStats];
  /** Every chunk delivered to the sinks (only computed when someone listens). */
  chunk: [chunk: AudioChunk];
  /** The error that ended the run (also the rejection of `wait()`). */
  error: [error: SluiceError];
  /** The run ended (done, stopped or failed), with final stats. */
  end: [stats: PipelineStats];
}

const STOP = Symbol('stop');
const DONE = Symbol('done');
/**
 * A synchronous source is pulled for at most this long (read from the stage timer's own clock readings, so
 * the check costs no extra reading) or this many chunks before the loop yields to the event loop.
 */
const SYNC_BURST_MS = 2;
const SYNC_BURST_CHUNKS = 1024;
/** On the synchronous path, one chunk in this many is timed (its times weighted to stand for the others). */
const TIMING_SAMPLE = 16;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const now = () => performance.now();
const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose');

function nameOf(stage: { name?: string } | undefined, fallback: string): string {
  return stage?.name ?? fallback;
}

/**
 * Connects a source, processors in order, and one or more sinks, and moves
 * chunks through them with backpressure: the next chunk is pulled from the
 * source only once every sink has taken the previous one.
 *
 * ```ts
 * const pipeline = new Pipeline({ source, processors: [new GainProcessor({ gainDb: -6 })], sink });
 * pipeline.start();
 * const stats = await pipeline.wait();
 * console.log(`${stats.speed.toFixed(0)}× real time`);
 * ```
 *
 * On any failure (a source, processor or sink that throws, an abort, a sink
 * timeout) the sinks are aborted, the source and processors are closed, and
 * `wait()` rejects with a {@link SluiceError}. Nothing is left running.
 */
export class Pipeline extends EventEmitter<PipelineEvents> {
  private source: Source;
  private readonly processors: readonly Processor[];
  private fanout: SinkFanout;
  /** Emits `chunk`, made once (the delivery loop passes it only while someone listens). */
  private readonly emitChunk = (chunk: AudioChunk) => this.emit('chunk', chunk);
  private readonly options: PipelineOptions;
  private currentState: PipelineState = 'idle';
  private runPromise: Promise<PipelineStats> | undefined;
  private interrupted: typeof STOP | SluiceError | undefined;
  /** Rejects what the run awaits right now (a sink write, an async processor). */
  private cancelWait: ((reason: unknown) => void) | undefined;
  /** The source pull being awaited, if any. */
  private pendingPull: Promise<IteratorResult<AudioChunk>> | undefined;
  /** True once halt() concluded the run while the loop was parked on the source. */
  private abandoned = false;
  private iterator: AsyncIterator<AudioChunk> | undefined;
  private completion: Deferred<PipelineStats> = deferred<PipelineStats>();
  /** The stages' sampled timing (one clock reading per stage boundary). */
  private readonly timer = new StageTimer(TIMING_SAMPLE);
  private startTime = 0;
  private endTime = 0;
  private lastProgress = 0;
  private sourceCounter: StageCounter;
  private readonly chain: ProcessorChain;
  private outputFormat: AudioFormat;
  /** The source chunk in flight, as the one-element batch the stages take. */
  private readonly sourceChunk: AudioChunk[] = [undefined as unknown as AudioChunk];

  constructor(options: PipelineOptions) {
    super();
    if (options === null || typeof options !== 'object' || options.source === undefined) {
      throw new SluiceError('E_INVALID_ARGUMENT', 'Pipeline: options.source is required');
    }
    const sinks = options.sinks ?? (options.sink === undefined ? [] : [options.sink]);
    if (sinks.length === 0) throw new SluiceError('E_INVALID_ARGUMENT', 'Pipeline: give a sink (or sinks)');
    for (const [i, sink] of sinks.entries()) {
      if (typeof sink?.write !== 'function' || typeof sink.close !== 'function') {
        throw new SluiceError('E_INVALID_ARGUMENT', `Pipeline: sink ${i} has no write()/close()`);
      }
    }
    for (const [i, processor] of (options.processors ?? []).entries()) {
      if (typeof processor?.process !== 'function') {
        throw new SluiceError('E_INVALID_ARGUMENT', `Pipeline: processor ${i} has no process()`);
      }
    }
    this.options = options;
    this.source = options.source;
    this.processors = options.processors ?? [];
    this.chain = new ProcessorChain(this.processors, {
      timer: this.timer,
      interruptible: (promise) => this.interruptible(promise),
      isInterruption: (error) => error === STOP || (SluiceError.isInstance(error) && error === this.interrupted),
    });
    this.fanout = this.sinkFanout(sinks);
    this.outputFormat = validateFormat(options.source.format, 'Pipeline source');
    this.sourceCounter = new StageCounter(nameOf(options.source, 'source'), 'source');
  }

  /** True while chunks are moving. */
  get running(): boolean {
    return this.currentState === 'running';
  }

  /** The current state. */
  get state(): PipelineState {
    return this.currentState;
  }

  /** Sum of the processors' `latencyFrames`. */
  get latencyFrames(): number {
    return this.processors.reduce((sum, p) => sum + (p.latencyFrames ?? 0), 0);
  }

  /** A snapshot of the statistics, at any time. */
  get stats(): PipelineStats {
    const sampleRate = this.source.format.sampleRate;
    const outputRate = this.outputFormat.sampleRate;
    const end = this.currentState === 'running' ? now() : this.endTime;
    const processingSeconds = this.startTime === 0 ? 0 : (end - this.startTime) / 1000;
    const audioSeconds = this.sourceCounter.frames / sampleRate;
    return {
      state: this.currentState,
      inputChunks: this.sourceCounter.chunks,
      inputFrames: this.sourceCounter.frames,
      chunks: this.fanout.delivered.chunks,
      frames: this.fanout.delivered.frames,
      bytes: this.fanout.delivered.frames * this.outputFormat.channels * 4,
      audioSeconds,
      processingSeconds,
      speed: processingSeconds > 0 ? audioSeconds / processingSeconds : 0,
      latencyFrames: this.latencyFrames,
      stages: [this.sourceCounter.snapshot(sampleRate), ...this.chain.snapshots(), ...this.fanout.snapshots(outputRate)],
    };
  }

  /** Starts moving chunks; returns at once. Calling it while running does nothing. */
  start(): this {
    if (this.currentState === 'running') return this;
    if (this.currentState !== 'idle') {
      throw new SluiceError('E_STATE', `Pipeline: cannot start a pipeline that is ${this.currentState}; call reset() first`);
    }
    const signal = this.options.signal;
    if (signal?.aborted) {
      this.interrupted = abortError(signal, 'pipeline');
    }
    this.currentState = 'running';
    this.startTime = now();
    this.lastProgress = this.startTime;
    const onAbort = () => this.halt(abortError(signal, 'pipeline'));
    signal?.addEventListener('abort', onAbort, { once: true });
    this.completion = deferred<PipelineStats>();
    this.runPromise = this.completion.promise.finally(() => signal?.removeEventListener('abort', onAbort));
    // The caller may never call wait(); the rejection is reported through `error` and wait().
    this.runPromise.catch(() => {});
    void this.execute();
    return this;
  }

  /**
   * Resolves with the final stats when the run ends (starting it if needed);
   * rejects with the error that ended it. With `timeoutMs`, rejects with
   * `E_TIMEOUT` when the run takes longer; the run itself goes on.
   */
  wait(options: WaitOptions = {}): Promise<PipelineStats> {
    if (this.runPromise === undefined) this.start();
    const run = this.runPromise as Promise<PipelineStats>;
    if (options.timeoutMs === undefined) return run;
    return withTimeout(run, options.timeoutMs, `Pipeline did not finish within ${options.timeoutMs} ms`);
  }

  /**
   * Stops early: pulls nothing more, closes the sinks normally (what was
   * written stays usable), closes the source. Resolves with the stats.
   */
  async stop(): Promise<PipelineStats> {
    if (this.runPromise === undefined) return this.stats;
    this.halt(STOP);
    return this.runPromise.catch(() => this.stats);
  }

  /**
   * Ready for another run: resets every processor and the counters, and
   * optionally takes a new source and sinks (sinks are usually single-use).
   */
  reset(next: { source?: Source; sinks?: readonly Sink[] } = {}): void {
    if (this.currentState === 'running') throw new SluiceError('E_STATE', 'Pipeline: stop() or wait() before reset()');
    for (const processor of this.processors) processor.reset?.();
    if (next.source !== undefined) this.source = next.source;
    this.outputFormat = validateFormat(this.source.format, 'Pipeline source');
    this.sourceCounter = new StageCounter(nameOf(this.source, 'source'), 'source');
    this.fanout = this.sinkFanout(next.sinks ?? this.fanout.sinks);
    this.chain.clear();
    this.interrupted = undefined;
    this.cancelWait = undefined;
    this.pendingPull = undefined;
    this.abandoned = false;
    this.iterator = undefined;
    this.runPromise = undefined;
    this.startTime = 0;
    this.endTime = 0;
    this.currentState = 'idle';
  }

  async [asyncDispose](): Promise<void> {
    await this.stop();
  }

  private halt(reason: typeof STOP | SluiceError): void {
    if (this.interrupted !== undefined || this.currentState !== 'running') return;
    this.interrupted = reason;
    if (this.pendingPull !== undefined) {
      // Parked on the source: conclude now rather than wait for a pull that may never return.
      this.abandoned = true;
      void this.conclude(reason);
    } else {
      this.cancelWait?.(reason);
    }
  }

  /**
   * Awaits a step so that stop/abort can cut it short: a hung source or sink
   * cannot hold the run. (A per-wait promise rather than Promise.race against
   * one long-lived promise, which would pile up a reaction per chunk.)
   */
  private interruptible<T>(promise: PromiseLike<T>): Promise<T> {
    if (this.interrupted !== undefined) return Promise.reject(this.interrupted);
    return new Promise<T>((resolve, reject) => {
      this.cancelWait = reject;
      promise.then(resolve, reject);
    });
  }

  /**
   * Runs the stream to its end, then concludes. When halt() finds the loop
   * parked on a source pull, it concludes the run itself and the loop is
   * abandoned: a source that never answers cannot hold the pipeline.
   */
  private async execute(): Promise<void> {
    const iterator = this.source[Symbol.asyncIterator]();
    this.iterator = iterator;
    let outcome: unknown = DONE;
    try {
      await this.openStages();
      await this.loop(iterator);
      if (this.abandoned) return;
      if (this.interrupted !== undefined) outcome = this.interrupted;
    } catch (caught) {
      if (this.abandoned) return;
      outcome = caught;
    }
    await this.conclude(outcome);
  }

  private async loop(iterator: AsyncIterator<AudioChunk>): Promise<void> {
    const syncPull = canPullSync(iterator) ? iterator : undefined;
    const checked = yieldsCheckedChunks(iterator);
    let expectedSeq = 0;
    let burst = 0;
    this.timer.start();
    let burstStart = this.timer.lastReading;
    while (this.interrupted === undefined) {
      // Synchronous sources would otherwise starve the event loop (timers, I/O, stop()). Yielding is not free
      // (a setImmediate round trip cost a fifth of an identity pipeline's time when it came every 64 chunks),
      // so it comes every 2 ms of work, seen at the sampled clock readings (looked at every TIMING_SAMPLE chunks, as
      // often as they change), or every 1,024 chunks.
      if (
        syncPull !== undefined &&
        (++burst >= SYNC_BURST_CHUNKS || (burst % TIMING_SAMPLE === 0 && this.timer.lastReading - burstStart >= SYNC_BURST_MS))
      ) {
        burst = 0;
        await yieldToEventLoop();
        if (this.interrupted !== undefined) return;
        this.timer.restart();
        burstStart = this.timer.lastReading;
      }
      this.timer.beforePull(syncPull !== undefined);
      let result = syncPull?.nextSync();
      const synchronous = result !== undefined;
      if (result === undefined) {
        // Awaited directly (no wrapper promise): halt() handles a pull that never returns.
        const pull = iterator.next();
        this.pendingPull = pull;
        result = await pull;
        this.pendingPull = undefined;
        if (this.abandoned) return;
        burst = 0;
      }
      this.sourceCounter.busyMs += this.timer.afterPull(synchronous);
      // An asynchronous pull gave the event loop its turn: the next burst counts from its end.
      if (!synchronous) burstStart = this.timer.lastReading;
      if (result.done) {
        if (this.interrupted === undefined) await this.endWithoutFinal();
        return;
      }
      const chunk = result.value;
      if (!checked) this.checkSourceChunk(chunk, expectedSeq);
      expectedSeq++;
      this.sourceCounter.chunks++;
      this.sourceCounter.frames += chunk.frames;
      // One array for every source chunk, rewritten in place (never resized): nothing below keeps it past this chunk.
      const input = this.sourceChunk;
      input[0] = chunk;
      let outputs = this.chain.length === 0 ? input : this.chain.run(input, chunk.final);
      if (isPromiseLike(outputs)) outputs = await outputs;
      const written = this.fanout.deliver(outputs, this.listenerCount('chunk') > 0 ? this.emitChunk : undefined);
      if (written !== undefined) await written;
      if (this.timer.weight > 0) this.fanout.countTime(this.timer.lap());
      this.maybeProgress(this.timer.lastReading);
      if (chunk.final) return;
    }
  }

  /** The source ended without a final chunk: flush the processors and mark the end ourselves. */
  private async endWithoutFinal(): Promise<void> {
    const outputs = this.chain.length === 0 ? [endMarker(this.outputFormat)] : await this.chain.run([], true);
    await this.fanout.deliver(outputs, this.listenerCount('chunk') > 0 ? this.emitChunk : undefined);
  }

  /**
   * Ends the run once: a normal end or stop() closes the sinks (what was
   * written stays usable); anything else aborts them. Then releases the
   * source and processors and settles `wait()`.
   */
  private async conclude(outcome: unknown): Promise<void> {
    let error: SluiceError | undefined;
    if (outcome === DONE || outcome === STOP) {
      try {
        await this.guard(this.fanout.close(), 'closing the sinks');
        this.finish(outcome === DONE ? 'done' : 'stopped');
      } catch (caught) {
        error = this.classify(caught);
      }
    } else {
      error = this.classify(outcome);
    }
    if (error !== undefined) {
      await this.fanout.abort(error);
      this.finish('failed');
      if (this.listenerCount('error') > 0) this.emit('error', error);
    }
    // The reused batches would otherwise keep the run's last chunks (and their audio) alive as long as the pipeline.
    this.sourceChunk[0] = undefined as unknown as AudioChunk;
    this.chain.release();
    await this.release(this.iterator as AsyncIterator<AudioChunk>, this.pendingPull);
    this.emit('progress', this.stats);
    this.emit('end', this.stats);
    if (error !== undefined) this.completion.reject(error);
    else this.completion.resolve(this.stats);
  }

  private finish(state: PipelineState): void {
    this.endTime = now();
    this.currentState = state;
  }

  private async openStages(): Promise<void> {
    const format = this.chain.open(this.outputFormat);
    this.outputFormat = format;
    await this.guard(this.fanout.open(format), 'opening the sinks');
  }

  private checkSourceChunk(chunk: AudioChunk, expectedSeq: number): void {
    if (chunk === null || typeof chunk !== 'object' || !Array.isArray(chunk.planes)) {
      throw new SluiceError('E_SOURCE', `Source "${this.sourceCounter.name}" yielded something that is not an AudioChunk`);
    }
    if (chunk.seq !== expectedSeq) {
      throw new SluiceError(
        'E_SEQUENCE',
        `Source "${this.sourceCounter.name}": expected chunk seq ${expectedSeq}, got ${chunk.seq}; chunks must be numbered 0, 1, 2… without gaps`,
        { details: { expected: expectedSeq, actual: chunk.seq } },
      );
    }
    assertChunkFormat(chunk, this.source.format, `Source "${this.sourceCounter.name}"`);
    for (let c = 0; c < chunk.planes.length; c++) {
      if (chunk.planes[c]?.length !== chunk.frames) {
        throw new SluiceError(
          'E_FORMAT',
          `Source "${this.sourceCounter.name}": chunk ${chunk.seq} channel ${c} has ${chunk.planes[c]?.length} frames, the chunk says ${chunk.frames}`,
        );
      }
    }
  }

  private sinkFanout(sinks: readonly Sink[]): SinkFanout {
    return new SinkFanout(sinks, {
      sinkTimeoutMs: this.options.sinkTimeoutMs,
      closeTimeoutMs: this.options.closeTimeoutMs ?? 30_000,
      interruptible: (promise) => this.interruptible(promise),
    });
  }

  private maybeProgress(t: number): void {
    const interval = this.options.progressIntervalMs ?? 250;
    if (t - this.lastProgress >= interval && this.listenerCount('progress') > 0) {
      this.lastProgress = t;
      this.emit('progress', this.stats);
    }
  }

  private classify(error: unknown): SluiceError {
    if (SluiceError.isInstance(error)) return error;
    return SluiceError.wrap(error, 'E_SOURCE', `Source "${this.sourceCounter.name}" failed`);
  }

  /** Bounds a cleanup step so a misbehaving stage cannot hang the pipeline. */
  private async guard(step: Promise<unknown>, what: string): Promise<void> {
    const timeoutMs = this.options.closeTimeoutMs ?? 30_000;
    try {
      await withTimeout(step, timeoutMs, `Pipeline: ${what} took longer than ${timeoutMs} ms`);
    } catch (error) {
      throw SluiceError.wrap(error, 'E_SINK', `Pipeline: ${what} failed`);
    }
  }

  private async release(iterator: AsyncIterator<AudioChunk>, pending: Promise<unknown> | undefined): Promise<void> {
    const timeoutMs = this.options.closeTimeoutMs ?? 30_000;
    const steps: Promise<unknown>[] = [Promise.resolve().then(() => this.source.close?.())];
    if (pending === undefined) {
      steps.push(Promise.resolve().then(() => iterator.return?.()));
    } else {
      // An async generator queues return() behind its pending next(): closing the
      // source (above) is what unblocks it, so finish the iterator in the background.
      const finish = () => iterator.return?.();
      pending.then(finish, finish).catch(() => {});
    }
    for (const processor of this.processors) steps.push(Promise.resolve().then(() => processor.close?.()));
    await Promise.allSettled(steps.map((step) => withTimeout(step, timeoutMs, 'release')));
  }
}
