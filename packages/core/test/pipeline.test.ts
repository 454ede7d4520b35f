import { describe, expect, it, vi } from 'vitest';
import {
  type AudioChunk,
  type AudioFormat,
  CallbackSink,
  CallbackSource,
  CollectSink,
  GainProcessor,
  IdentityProcessor,
  Pipeline,
  type PipelineStats,
  type Processor,
  type Sink,
  type Source,
  ToneSource,
  createAudioChunk,
  run,
} from '../src/index';
import { expectCode, seededRandom, randomInt } from '@sluice/config/test-helpers';

/**
 * mlx-audio's custom-processor example, written for Sluice: a one-pole
 * low-pass y[n] = a·x[n] + (1 − a)·y[n−1], with its state carried across
 * chunks and cleared by reset().
 */
class OnePoleLowPass implements Processor {
  readonly name = 'one-pole-low-pass';
  private previous: number[] = [];
  constructor(private readonly coefficient = 0.1) {}

  process(chunk: AudioChunk): AudioChunk {
    const planes = chunk.planes.map((input, c) => {
      const output = new Float32Array(input.length);
      let y = this.previous[c] ?? 0;
      for (let i = 0; i < input.length; i++) {
        y = this.coefficient * (input[i] as number) + (1 - this.coefficient) * y;
        output[i] = y;
      }
      this.previous[c] = y;
      return output;
    });
    return createAudioChunk({ format: chunk.format, planes });
  }

  reset(): void {
    this.previous = [];
  }
}

/** A processor that holds back the last `hold` frames until flush (like a filter with latency). */
class Delay implements Processor {
  readonly name = 'delay';
  private held: Float32Array[] | undefined;
  private format: AudioFormat | undefined;
  constructor(readonly latencyFrames: number) {}
  open(format: AudioFormat) {
    this.format = format;
    this.held = Array.from({ length: format.channels }, () => new Float32Array(this.latencyFrames));
  }
  process(chunk: AudioChunk): AudioChunk {
    const planes = chunk.planes.map((plane, c) => {
      const joined = new Float32Array((this.held?.[c]?.length ?? 0) + plane.length);
      joined.set(this.held?.[c] as Float32Array);
      joined.set(plane, this.latencyFrames);
      (this.held as Float32Array[])[c] = joined.slice(joined.length - this.latencyFrames);
      return joined.subarray(0, joined.length - this.latencyFrames);
    });
    return createAudioChunk({ format: chunk.format, planes });
  }
  flush(): AudioChunk {
    return createAudioChunk({ format: this.format as AudioFormat, planes: this.held as Float32Array[] });
  }
}

function trackingSource(inner: Source) {
  const state = { pulled: 0, closed: false };
  const source: Source = {
    format: inner.format,
    name: 'tracking',
    async *[Symbol.asyncIterator]() {
      for await (const chunk of inner) {
        state.pulled++;
        yield chunk;
      }
    },
    close() {
      state.closed = true;
    },
  };
  return { source, state };
}

function trackingSink() {
  const state = { writes: 0, closed: false, aborted: undefined as unknown };
  const sink: Sink = {
    name: 'tracking-sink',
    write() {
      state.writes++;
    },
    close() {
      state.closed = true;
    },
    abort(reason) {
      state.aborted = reason;
    },
  };
  return { sink, state };
}

describe('Pipeline', () => {
  it('runs source → gain → sink and reports honest stats', async () => {
    const sink = new CollectSink();
    const pipeline = new Pipeline({
      source: new ToneSource({ seconds: 2, sampleRate: 44100, channels: 2 }),
      processors: [new GainProcessor({ gainDb: -6.0206 })],
      sink,
    });
    pipeline.start();
    expect(pipeline.running).toBe(true);
    const stats = await pipeline.wait();
    expect(pipeline.running).toBe(false);
    expect(sink.frames).toBe(88200);
    expect(sink.planes[1]?.[1000]).toBeCloseTo(0.25 * Math.sin((2 * Math.PI * 440 * 1000) / 44100), 4);
    expect(stats).toMatchObject({ state: 'done', inputFrames: 88200, frames: 88200, chunks: 87, bytes: 88200 * 2 * 4 });
    expect(stats.audioSeconds).toBeCloseTo(2, 6);
    expect(stats.speed).toBeCloseTo(stats.audioSeconds / stats.processingSeconds, 6);
    expect(stats.stages.map((s) => [s.kind, s.name])).toEqual([
      ['source', 'tone'],
      ['processor', 'gain'],
      ['sink', 'collect-sink'],
    ]);
  });

  it('chunks arriving at sinks are numbered without gaps and end with final', async () => {
    const chunks: AudioChunk[] = [];
    await run(new ToneSource({ frames: 10_000, chunkFrames: 999 }), new Delay(300), new CallbackSink((c) => void chunks.push(c)));
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    expect(chunks.filter((c) => c.final)).toHaveLength(1);
    expect(chunks.at(-1)?.final).toBe(true);
    let expectedStart = 0;
    for (const chunk of chunks) {
      expect(chunk.startFrame).toBe(expectedStart);
      expectedStart += chunk.frames;
    }
    expect(expectedStart).toBe(10_300);
  });

  it('keeps every chunk and its order through stages answering with one chunk, several, a promise or a flush', async () => {
    // The pipeline reuses one-element arrays for single answers: a stage that answers twice, or goes
    // asynchronous while the one before it answered once, must not lose or repeat a chunk.
    const format = { sampleRate: 8000, channels: 1 };
    const input = Array.from({ length: 30 }, (_, k) => [Float32Array.from({ length: 7 }, (_, i) => k * 7 + i)]);
    const split: Processor = {
      name: 'split-every-third',
      process: (chunk) => {
        if (chunk.seq % 3 !== 0) return chunk;
        const [plane] = chunk.planes as [Float32Array];
        const half = (from: number, to: number) => createAudioChunk({ format: chunk.format, planes: [plane.slice(from, to)] });
        return [half(0, 3), half(3, 7)];
      },
    };
    const sometimesLate: Processor = {
      name: 'sometimes-late',
      process: (chunk) => (chunk.seq % 4 === 1 ? new Promise((resolve) => setTimeout(() => resolve(chunk), 1)) : chunk),
    };
    const sink = new CollectSink();
    const stats = await new Pipeline({
      source: new CallbackSource(input, format),
      processors: [split, sometimesLate, new Delay(5), new IdentityProcessor()],
      sink,
    }).wait();
    const [collected] = sink.planes as [Float32Array];
    const expected = [0, 0, 0, 0, 0, ...Array.from({ length: 30 * 7 }, (_, i) => i)];
    expect(Array.from(collected)).toEqual(expected);
    expect(stats.frames).toBe(expected.length);
  });

  it('a custom stateful processor gives the same output for any chunking', async () => {
    const random = seededRandom(5);
    const samples = Float32Array.from({ length: 20_000 }, () => random() * 2 - 1);
    const reference = new CollectSink();
    await run(new CallbackSource([[samples]], { sampleRate: 8000, channels: 1 }), new OnePoleLowPass(), reference);
    const pieces: Float32Array[][] = [];
    for (let offset = 0; offset < samples.length; ) {
      const size = randomInt(random, 1, 3000);
      pieces.push([samples.subarray(offset, offset + size)]);
      offset += size;
    }
    const chunked = new CollectSink();
    const lowPass = new OnePoleLowPass();
    const pipeline = new Pipeline({
      source: new CallbackSource(pieces, { sampleRate: 8000, channels: 1 }),
      processors: [lowPass],
      sink: chunked,
    });
    await pipeline.wait();
    expect(chunked.planes).toEqual(reference.planes);
    // reset() clears the state: a second run over the same input matches again.
    const again = new CollectSink();
    pipeline.reset({ source: new CallbackSource(pieces, { sampleRate: 8000, channels: 1 }), sinks: [again] });
    await pipeline.wait();
    expect(again.planes).toEqual(reference.planes);
  });

  it('fans out to several sinks and the slowest sets the pace', async () => {
    const { source, state } = trackingSource(new ToneSource({ frames: 1024 * 20 }));
    const fast = new CollectSink();
    let written = 0;
    let maxAhead = 0;
    const slow: Sink = {
      name: 'slow',
      async write() {
        written++;
        maxAhead = Math.max(maxAhead, state.pulled - written);
        await new Promise((resolve) => setTimeout(resolve, 2));
      },
      close() {},
    };
    const stats = await new Pipeline({ source, sinks: [fast, slow] }).wait();
    expect(fast.frames).toBe(1024 * 20);
    expect(stats.chunks).toBe(20);
    // Backpressure: the source has not produced the next chunk while the slow sink holds this one.
    expect(maxAhead).toBe(0);
  });

  it('emits progress, chunk and end events', async () => {
    const pipeline = new Pipeline({
      source: new ToneSource({ frames: 4096, chunkFrames: 1024 }),
      sink: new CollectSink(),
      progressIntervalMs: 0,
    });
    const seen = { chunk: 0, progress: 0, end: undefined as PipelineStats | undefined };
    pipeline.on('chunk', () => seen.chunk++);
    pipeline.on('progress', () => seen.progress++);
    pipeline.on('end', (stats) => {
      seen.end = stats;
    });
    await pipeline.wait();
    expect(seen.chunk).toBe(4);
    expect(seen.progress).toBeGreaterThanOrEqual(4);
    expect(seen.end?.state).toBe('done');
  });

  it('stage times include the source; measured on every chunk, they are disjoint slices of the run', async () => {
    // Synchronous path: one chunk in 16 is timed and weighted (StageTimer's own test checks the weights), so the
    // sum is an estimate that a garbage collection inside a sampled chunk can push past the wall clock: only
    // that every stage gets time is asserted here.
    const sampled = await new Pipeline({
      source: new ToneSource({ seconds: 60, channels: 2 }),
      processors: [new GainProcessor(0.5)],
      sink: new CollectSink(),
    }).wait();
    for (const stage of sampled.stages) expect(stage.busySeconds, stage.name).toBeGreaterThan(0);
    // Asynchronous source: every chunk is timed with weight 1, each lap starting where the last one ended, so
    // the stages' times add up to no more than the run itself.
    const tone = new ToneSource({ seconds: 20, channels: 2 });
    const asyncTone: Source = {
      format: tone.format,
      async *[Symbol.asyncIterator]() {
        yield* tone;
      },
    };
    const timed = await new Pipeline({ source: asyncTone, processors: [new GainProcessor(0.5)], sink: new CollectSink() }).wait();
    const total = timed.stages.reduce((sum, stage) => sum + stage.busySeconds, 0);
    expect(timed.stages.every((stage) => stage.busySeconds > 0)).toBe(true);
    expect(total).toBeLessThanOrEqual(timed.processingSeconds + 1e-9); // 1e-9: float rounding of the sums
  });

  it('sums processor latencies', () => {
    const pipeline = new Pipeline({
      source: new ToneSource({ frames: 1 }),
      processors: [new Delay(100), new Delay(28), new IdentityProcessor()],
      sink: new CollectSink(),
    });
    expect(pipeline.latencyFrames).toBe(128);
  });

  it('run() takes processors, a sink array and options', async () => {
    const a = new CollectSink();
    const b = new CollectSink();
    const controller = new AbortController();
    const stats = await run(new ToneSource({ frames: 100 }), new IdentityProcessor(), new GainProcessor(2), [a, b], {
      signal: controller.signal,
    });
    expect(stats.frames).toBe(100);
    expect(b.planes).toEqual(a.planes);
    expect(() => run(new ToneSource({ frames: 1 }), new IdentityProcessor())).toThrow(/last stage/);
  });

  it('disposes with await using semantics', async () => {
    const { sink, state } = trackingSink();
    const pipeline = new Pipeline({ source: new ToneSource({ seconds: 60 }), sink });
    pipeline.start();
    await pipeline[Symbol.asyncDispose]();
    expect(pipeline.running).toBe(false);
    expect(state.closed).toBe(true);
  });
});

describe('Pipeline on bad input and failures', () => {
  const format = { sampleRate: 8000, channels: 1 };
  const chunk = (seq: number, f: AudioFormat = format, frames = 10) =>
    createAudioChunk({ format: f, planes: Array.from({ length: f.channels }, () => new Float32Array(frames)), seq });
  const sourceOf = (chunks: AudioChunk[]): Source => ({
    format,
    async *[Symbol.asyncIterator]() {
      yield* chunks;
    },
  });

  it('a processor that throws stops the pipeline, aborts the sinks and closes the source', async () => {
    const { source, state: sourceState } = trackingSource(new ToneSource({ seconds: 10 }));
    const { sink, state: sinkState } = trackingSink();
    let calls = 0;
    const failing: Processor = {
      name: 'failing',
      process(c) {
        if (++calls === 3) throw new Error('kaboom');
        return c;
      },
    };
    const pipeline = new Pipeline({ source, processors: [failing], sink });
    const errors: unknown[] = [];
    pipeline.on('error', (e) => errors.push(e));
    const error = await expectCode(pipeline.wait(), 'E_PROCESSOR');
    expect(error.message).toMatch(/Processor "failing" failed on chunk 2: kaboom/);
    expect(sinkState.aborted).toBe(error);
    expect(sinkState.closed).toBe(false);
    expect(sourceState.closed).toBe(true);
    expect(sourceState.pulled).toBe(3);
    expect(errors).toEqual([error]);
    expect(pipeline.state).toBe('failed');
  });

  it('a source that throws rejects with E_SOURCE', async () => {
    const source: Source = {
      format,
      name: 'broken',
      // biome-ignore lint/correctness/useYield: the source fails before its first chunk
      async *[Symbol.asyncIterator]() {
        throw new Error('device gone');
      },
    };
    const { sink, state } = trackingSink();
    const error = await expectCode(new Pipeline({ source, sink }).wait(), 'E_SOURCE');
    expect(error.message).toContain('device gone');
    expect(state.aborted).toBe(error);
  });

  it('a gap in seq is an E_SEQUENCE error', async () => {
    const error = await expectCode(run(sourceOf([chunk(0), chunk(2)]), new CollectSink()), 'E_SEQUENCE');
    expect(error.message).toMatch(/expected chunk seq 1, got 2/);
  });

  it('a chunk in another format than the source declares is an E_FORMAT error', async () => {
    const error = await expectCode(run(sourceOf([chunk(0), chunk(1, { sampleRate: 16000, channels: 1 })]), new CollectSink()), 'E_FORMAT');
    expect(error.message).toMatch(/16000 Hz mono but the stream is 8000 Hz mono/);
  });

  it('a processor that emits a format it did not declare is an E_FORMAT error', async () => {
    const liar: Processor = {
      process: (c) =>
        createAudioChunk({ format: { sampleRate: 8000, channels: 2 }, planes: [c.planes[0] as Float32Array, c.planes[0] as Float32Array] }),
    };
    await expectCode(run(sourceOf([chunk(0)]), liar, new CollectSink()), 'E_FORMAT');
  });

  it('writing to a sink after it closed is an E_CLOSED error', () => {
    const sink = new CollectSink();
    sink.close();
    expect(() => sink.write(chunk(0))).toThrow(expect.objectContaining({ code: 'E_CLOSED' }));
  });

  it('a sink that never drains is ended by sinkTimeoutMs with a clear error', async () => {
    const { source, state } = trackingSource(new ToneSource({ seconds: 10 }));
    const stuck: Sink = { name: 'stuck', write: () => new Promise<void>(() => {}), close() {}, abort: vi.fn() };
    const error = await expectCode(new Pipeline({ source, sink: stuck, sinkTimeoutMs: 50 }).wait(), 'E_TIMEOUT');
    expect(error.message).toMatch(/Sink "stuck" did not accept chunk 0 within 50 ms/);
    expect(stuck.abort).toHaveBeenCalled();
    expect(state.closed).toBe(true);
  });

  it('an AbortSignal aborts a run with E_ABORTED and aborts the sinks', async () => {
    const controller = new AbortController();
    const { sink, state } = trackingSink();
    const slowSource = new CallbackSource(async function* () {
      while (true) {
        await new Promise((r) => setTimeout(r, 1));
        yield new Float32Array(8);
      }
    }, format);
    const pipeline = new Pipeline({ source: slowSource, sink, signal: controller.signal });
    pipeline.start();
    setTimeout(() => controller.abort(), 20);
    await expectCode(pipeline.wait(), 'E_ABORTED');
    expect(state.aborted).toBeDefined();
  });

  it('an already aborted signal fails at once', async () => {
    await expectCode(run(new ToneSource({ frames: 10 }), new CollectSink(), { signal: AbortSignal.abort() }), 'E_ABORTED');
  });

  it('stop() ends a hung source gracefully and closes the sinks', async () => {
    const hung: Source = {
      format,
      async *[Symbol.asyncIterator]() {
        yield chunk(0);
        await new Promise(() => {});
      },
    };
    const { sink, state } = trackingSink();
    const pipeline = new Pipeline({ source: hung, sink });
    pipeline.start();
    await new Promise((r) => setTimeout(r, 10));
    const stats = await pipeline.stop();
    expect(stats.state).toBe('stopped');
    expect(state).toMatchObject({ writes: 1, closed: true, aborted: undefined });
  });

  it('wait({ timeoutMs }) rejects with E_TIMEOUT and leaves the run going', async () => {
    const pipeline = new Pipeline({
      source: new ToneSource({ seconds: 3600, sampleRate: 8000 }),
      sink: { write: () => new Promise((r) => setTimeout(r, 1)), close() {} },
    });
    await expectCode(pipeline.wait({ timeoutMs: 20 }), 'E_TIMEOUT');
    expect(pipeline.running).toBe(true);
    await pipeline.stop();
  });

  it('rejects construction without a sink or with a non-processor', () => {
    expect(() => new Pipeline({ source: new ToneSource({ frames: 1 }) })).toThrow(/give a sink/);
    expect(() => new Pipeline({ source: new ToneSource({ frames: 1 }), processors: [{} as Processor], sink: new CollectSink() })).toThrow(
      /no process/,
    );
  });

  it('misuse of the life cycle is one error, E_STATE, thrown at the call: start() after a run, reset() while running', async () => {
    const pipeline = new Pipeline({ source: new ToneSource({ frames: 10 }), sink: new CollectSink() });
    await pipeline.wait();
    const thrown = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(thrown(() => pipeline.start())).toMatchObject({ code: 'E_STATE', message: expect.stringMatching(/reset/) });
    const endless = new Pipeline({ source: new ToneSource({ seconds: 60 }), sink: new CollectSink() }).start();
    expect(thrown(() => endless.reset())).toMatchObject({ code: 'E_STATE', message: expect.stringMatching(/stop\(\) or wait\(\)/) });
    await endless.stop();
    // After a stop the same pipeline may be reset and run again.
    endless.reset({ source: new ToneSource({ frames: 10 }), sinks: [new CollectSink()] });
    expect((await endless.wait()).frames).toBe(10);
  });
});
