import {
  type AudioChunk,
  CallbackSource,
  CollectSink,
  MemoryChannel,
  type ByteChunk,
  Pipeline,
  bytesToNdjson,
  createByteChunk,
} from '@sluice/core';
import { expectCode } from '@sluice/config/test-helpers';
import { describe, expect, it } from 'vitest';
import { SandboxManager, WasmProcessor, readModuleInfo } from '../src/index';
import {
  COUNTER,
  GAIN,
  INFINITE_LOOP,
  MEMORY_BOMB,
  TABLE_BOMB,
  HUGE_TABLE,
  BOUNDED_TABLE,
  ONE_POLE,
  OUT_OF_BOUNDS,
  PEAK_RMS,
  UNBOUNDED_MEMORY,
  WANTS_CLOCK,
  WANTS_WASI,
} from './modules';

function noise(frames: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: frames }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
}

function stereoChunks(count: number, frames: number): Float32Array[][] {
  return Array.from({ length: count }, (_, i) => [noise(frames, 2 * i + 1), noise(frames, 2 * i + 2)]);
}

async function runThrough(processor: WasmProcessor, chunks: Float32Array[][]): Promise<Float32Array[]> {
  const sink = new CollectSink();
  await new Pipeline({
    source: new CallbackSource(chunks, { sampleRate: 48000, channels: chunks[0]?.length ?? 1 }),
    processors: [processor],
    sink,
  }).wait();
  return sink.planes;
}

/** A gain instance that must keep working while a hostile one fails next to it. */
async function bystander(manager: SandboxManager, moduleId: string): Promise<() => Promise<void>> {
  const id = await manager.createInstance(moduleId, { params: [0.5], channels: 1 });
  return async () => {
    const out = await manager.instance(id).process(Float32Array.of(1, -2, 0.25), 3, 1);
    expect(Array.from(out.data)).toEqual([0.5, -1, 0.125]);
  };
}

describe('WasmProcessor with well-behaved modules', () => {
  it('gain: output equals input × gain exactly', async () => {
    const chunks = stereoChunks(20, 1024);
    const processor = new WasmProcessor(GAIN, { params: [0.7] });
    const out = await runThrough(processor, chunks);
    const gain = Math.fround(0.7);
    for (let c = 0; c < 2; c++) {
      const input = chunks.flatMap((chunk) => Array.from(chunk[c] as Float32Array));
      expect(Array.from(out[c] as Float32Array)).toEqual(input.map((x) => Math.fround(x * gain)));
    }
    expect(processor.stats).toMatchObject({ chunksIn: 20, chunksOut: 20, bytesIn: 20 * 1024 * 2 * 4, traps: 0 });
  });

  it('one-pole filter: state carries across chunks, and reset() clears it', async () => {
    const signal = noise(4000, 9);
    const reference = (() => {
      let y = 0;
      const a = Math.fround(0.2);
      return signal.map((x) => (y = Math.fround(y + Math.fround(a * Math.fround(x - y)))));
    })();
    const pieces = [signal.slice(0, 700), signal.slice(700, 701), signal.slice(701, 4000)].map((piece) => [piece]);
    const out = await runThrough(new WasmProcessor(ONE_POLE, { params: [0.2] }), pieces);
    expect(Array.from(out[0] as Float32Array)).toEqual(Array.from(reference));

    const processor = new WasmProcessor(ONE_POLE, { params: [0.2] });
    processor.open({ sampleRate: 48000, channels: 1 });
    const chunk = (planes: Float32Array[]): AudioChunk => ({
      format: { sampleRate: 48000, channels: 1 },
      planes,
      frames: planes[0]?.length ?? 0,
      seq: 0,
      startFrame: 0,
      final: false,
    });
    const [first] = await processor.process(chunk([signal.slice(0, 100)]));
    processor.reset();
    const [again] = await processor.process(chunk([signal.slice(0, 100)]));
    expect(Array.from(again?.planes[0] as Float32Array)).toEqual(Array.from(first?.planes[0] as Float32Array));
    await processor.close();
  });

  it('analyser: peak and RMS records per chunk through a channel, turned into JSON objects', async () => {
    const chunks = [[Float32Array.of(0.5, -0.25, 0.25, -0.5)], [new Float32Array(8).fill(0.1)]];
    const processor = new WasmProcessor(PEAK_RMS, { kind: 'analyser' });
    const records: unknown[] = [];
    const reading = (async () => {
      for await (const record of bytesToNdjson(processor.records)) records.push(record);
    })();
    const out = await runThrough(processor, chunks);
    await reading;
    expect(Array.from(out[0] as Float32Array)).toEqual([0.5, -0.25, 0.25, -0.5, ...new Array(8).fill(Math.fround(0.1))]);
    expect(records).toEqual([
      { frames: 4, peak_ppm: 500000, rms_ppm: Math.round(Math.sqrt((0.25 + 0.0625 + 0.0625 + 0.25) / 4) * 1e6) },
      { frames: 8, peak_ppm: 100000, rms_ppm: 100000 },
    ]);
  });

  it('analyser: a records reader that stops after one record leaves the audio running to the end', async () => {
    // A budget of about two records: without the cancel, the third record's send would wait for ever and hold
    // the pipeline.
    const records = new MemoryChannel<ByteChunk>('few-records', { budgetBytes: 96 });
    const processor = new WasmProcessor(PEAK_RMS, { kind: 'analyser', records });
    let read = 0;
    const reading = (async () => {
      for await (const _record of bytesToNdjson(processor.records)) {
        read++;
        break;
      }
    })();
    const chunks = Array.from({ length: 20 }, () => [new Float32Array(64).fill(0.25)]);
    const out = await runThrough(processor, chunks);
    await reading;
    expect(read).toBe(1);
    expect(out[0]?.length).toBe(20 * 64);
  });

  it('calls a named streaming function with JSON parameters and a channel, returning its result', async () => {
    const manager = new SandboxManager();
    const id = await manager.createInstance(manager.loadModule(COUNTER));
    const input = new MemoryChannel<ByteChunk>('input');
    const sending = (async () => {
      for (let i = 0; i < 5; i++) await input.send(createByteChunk({ data: new Uint8Array(100 + i), seq: i, final: i === 4 }));
    })();
    const result = await manager.callStreamingFunction(id, 'count_bytes', { format: 'json', operation: 'count' }, input);
    await sending;
    expect(JSON.parse(result)).toEqual({ bytes: 510, params: { format: 'json', operation: 'count' } });
    expect(manager.stats()[id]).toMatchObject({ chunksIn: 5, chunksOut: 5, dead: false });
    await manager.close();
  });

  it('runs several instances of one module in parallel, each with its own counters', async () => {
    const manager = new SandboxManager();
    const moduleId = manager.loadModule(GAIN);
    const ids = await Promise.all([0.5, 2, 3, 4].map((gain) => manager.createInstance(moduleId, { params: [gain], channels: 1 })));
    const outputs = await Promise.all(ids.map((id) => manager.instance(id).process(Float32Array.of(1, 2), 2, 1)));
    expect(outputs.map((out) => Array.from(out.data))).toEqual([
      [0.5, 1],
      [2, 4],
      [3, 6],
      [4, 8],
    ]);
    expect(Object.values(manager.stats()).every((stats) => stats.chunksIn === 1)).toBe(true);
    await manager.close();
  });
});

describe('chunks in flight', () => {
  it.each([2, 4])('inFlight %i: the same output, in order, as one at a time; the last chunks come out at flush', async (inFlight) => {
    const chunks = Array.from({ length: 25 }, (_, n) => [Float32Array.from({ length: 300 + n }, (_, i) => Math.sin((n * 300 + i) / 17))]);
    const one = await runThrough(new WasmProcessor(ONE_POLE, { params: [0.2] }), chunks);
    const many = await runThrough(new WasmProcessor(ONE_POLE, { params: [0.2], inFlight }), chunks);
    expect(many.map((plane) => Array.from(plane))).toEqual(one.map((plane) => Array.from(plane)));
    expect(() => new WasmProcessor(ONE_POLE, { inFlight: 5 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });
});

describe('hostile modules', () => {
  it('an infinite loop is terminated within the time budget; the pipeline stops cleanly and others keep running', async () => {
    const manager = new SandboxManager();
    const check = await bystander(manager, manager.loadModule(GAIN));
    const error = await runThrough(new WasmProcessor(INFINITE_LOOP, { limits: { msPerChunk: 200 } }), stereoChunks(3, 256)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'E_SANDBOX', message: expect.stringMatching(/200 ms budget/) });
    await check();
    await manager.close();
  });

  it('a memory that may grow past the limit is refused at load; a memory bomb stops at the limit and traps', async () => {
    expect(() => new WasmProcessor(UNBOUNDED_MEMORY)).not.toThrow();
    await expectCode(runThrough(new WasmProcessor(UNBOUNDED_MEMORY), stereoChunks(1, 16)), 'E_SANDBOX');
    const manager = new SandboxManager();
    const check = await bystander(manager, manager.loadModule(GAIN));
    const bomb = await manager.createInstance(manager.loadModule(MEMORY_BOMB), { limits: { memoryPages: 64 } });
    const error = await manager
      .instance(bomb)
      .process(new Float32Array(4), 4, 1)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_SANDBOX', message: expect.stringMatching(/trapped: .*unreachable/) });
    expect(manager.stats()[bomb]).toMatchObject({ traps: 1, dead: true });
    await check();
    await manager.close();
  });

  it('tables are bounded like memories: no maximum or too large a one is refused at load, a bounded one works', async () => {
    for (const module of [TABLE_BOMB, HUGE_TABLE]) {
      const error = await runThrough(new WasmProcessor(module), stereoChunks(1, 16)).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'E_SANDBOX', message: expect.stringMatching(/table/) });
    }
    await runThrough(new WasmProcessor(BOUNDED_TABLE), stereoChunks(2, 16));
    // A table limit the worker's heap could not hold is refused before any worker starts.
    const manager = new SandboxManager();
    await expectCode(
      manager.createInstance(manager.loadModule(BOUNDED_TABLE), { limits: { tableElements: 50_000_000 } }),
      'E_INVALID_ARGUMENT',
    );
    await manager.close();
  });

  it('an out-of-bounds access is a trap surfaced as a typed error', async () => {
    const error = await runThrough(new WasmProcessor(OUT_OF_BOUNDS), stereoChunks(2, 64)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_SANDBOX', message: expect.stringMatching(/trapped: .*out of bounds/) });
  });

  it('imports that are not granted are refused at load; the clock only when granted', async () => {
    const manager = new SandboxManager();
    await expect(manager.createInstance(manager.loadModule(WANTS_WASI))).rejects.toMatchObject({
      code: 'E_SANDBOX',
      message: expect.stringMatching(/wasi_snapshot_preview1\.fd_write/),
    });
    const clock = manager.loadModule(WANTS_CLOCK);
    await expect(manager.createInstance(clock)).rejects.toMatchObject({ code: 'E_SANDBOX', message: expect.stringMatching(/sluice\.now/) });
    const granted = await manager.createInstance(clock, { grants: ['clock'] });
    await manager.instance(granted).process(new Float32Array(2), 2, 1);
    expect(readModuleInfo(WANTS_WASI).imports[0]).toMatchObject({ module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'function' });
    await manager.close();
  });

  it('bytes that are not WebAssembly are refused', () => {
    expect(() => new WasmProcessor(new TextEncoder().encode('not a module'))).toThrow(/not a WebAssembly module/);
  });
});

describe('a program that only runs an analyser', () => {
  it('stays alive until every record has come: the worker is referenced while a record message is awaited', async () => {
    // Before the fix the worker was unreferenced once a chunk was answered, while its record was still a message
    // on the way: a program with nothing else to do exited (code 13, a top-level await never settled) mid-stream.
    const { spawnSync } = await import('node:child_process');
    const program = new URL('./fixtures/analyser-program.mts', import.meta.url).pathname;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@sluice/source', program], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const { records, chunks } = JSON.parse(run.stdout) as { records: number; chunks: number };
    expect(chunks).toBeGreaterThan(200);
    expect(records).toBe(chunks);
  });
});
