import { describe, expect, it } from 'vitest';
import {
  type AudioChunk,
  CallbackSource,
  CollectSink,
  NoiseSource,
  Pipeline,
  SilenceSource,
  type SyncPullIterator,
  ToneSource,
  run,
} from '../src/index';
import { expectCode } from '@sluice/config/test-helpers';

async function collect(source: AsyncIterable<import('../src/index').AudioChunk>) {
  const chunks = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks;
}

describe('synthetic sources', () => {
  it('ToneSource has the exact length, numbered chunks and a final last chunk', async () => {
    const chunks = await collect(new ToneSource({ seconds: 1, sampleRate: 8000, chunkFrames: 3000 }));
    expect(chunks.map((c) => c.frames)).toEqual([3000, 3000, 2000]);
    expect(chunks.map((c) => c.seq)).toEqual([0, 1, 2]);
    expect(chunks.map((c) => c.startFrame)).toEqual([0, 3000, 6000]);
    expect(chunks.map((c) => c.final)).toEqual([false, false, true]);
  });

  it('ToneSource samples do not depend on the chunk size', async () => {
    const a = new CollectSink();
    const b = new CollectSink();
    await run(new ToneSource({ frames: 5000, frequency: 997, chunkFrames: 7, channels: 2 }), a);
    await run(new ToneSource({ frames: 5000, frequency: 997, chunkFrames: 4096, channels: 2 }), b);
    expect(a.planes).toEqual(b.planes);
    expect(a.planes[0]?.[100]).toBeCloseTo(0.5 * Math.sin((2 * Math.PI * 997 * 100) / 44100), 6);
  });

  it('NoiseSource is reproducible from its seed and within its amplitude', async () => {
    const source = new NoiseSource({ frames: 1000, seed: 42, amplitude: 0.25 });
    const first = await collect(source);
    const second = await collect(source);
    expect(first[0]?.planes).toEqual(second[0]?.planes);
    for (const value of first[0]?.planes[0] ?? []) expect(Math.abs(value)).toBeLessThanOrEqual(0.25);
  });

  it('SilenceSource of zero length yields one empty final chunk', async () => {
    const chunks = await collect(new SilenceSource({ frames: 0 }));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ frames: 0, final: true });
  });
});

describe('CallbackSource', () => {
  const format = { sampleRate: 16000, channels: 2 };

  it('takes a sync generator of planes and marks the last chunk final', async () => {
    const source = new CallbackSource(function* () {
      for (let i = 0; i < 3; i++) yield [new Float32Array(10).fill(i), new Float32Array(10).fill(i)];
    }, format);
    const chunks = await collect(source);
    expect(chunks.map((c) => [c.seq, c.startFrame, c.final, c.planes[0]?.[0]])).toEqual([
      [0, 0, false, 0],
      [1, 10, false, 1],
      [2, 20, true, 2],
    ]);
  });

  it('takes an async generator and mono Float32Arrays', async () => {
    const source = new CallbackSource(
      async function* () {
        yield new Float32Array(4);
        yield new Float32Array(6);
      },
      { sampleRate: 8000, channels: 1 },
    );
    const chunks = await collect(source);
    expect(chunks.map((c) => c.frames)).toEqual([4, 6]);
  });

  it('rejects items with the wrong channel count or unequal lengths', async () => {
    const wrongCount = new CallbackSource([[new Float32Array(4)]], format);
    await expectCode(collect(wrongCount), 'E_FORMAT');
    const unequal = new CallbackSource([[new Float32Array(4), new Float32Array(5)]], format);
    await expectCode(collect(unequal), 'E_FORMAT');
  });

  it("rejects a chunk item whose frame count is not its planes' length, in a pipeline too (which trusts its chunks)", async () => {
    const liar = { format, planes: [new Float32Array(4), new Float32Array(4)], frames: 3, seq: 0, startFrame: 0, final: true };
    const error = await expectCode(collect(new CallbackSource([liar], format)), 'E_FORMAT');
    expect(error.message).toMatch(/says 3 frames but its planes hold 4/);
    const sink = new CollectSink();
    await expectCode(new Pipeline({ source: new CallbackSource([liar], format), sink }).wait(), 'E_FORMAT');
  });

  it('answers nextSync() in one rewritten object, and next() in a fresh one each time', async () => {
    const items = [
      [new Float32Array(2), new Float32Array(2)],
      [new Float32Array(3), new Float32Array(3)],
    ];
    const sync = new CallbackSource(items, format)[Symbol.asyncIterator]() as SyncPullIterator<AudioChunk>;
    const first = sync.nextSync();
    expect(first?.done === false && first.value.frames).toBe(2);
    const second = sync.nextSync();
    expect(second).toBe(first);
    expect(second?.done === false && second.value.frames).toBe(3);
    const iterator = new CallbackSource(items, format)[Symbol.asyncIterator]();
    const [a, b] = [await iterator.next(), await iterator.next()];
    expect(a).not.toBe(b);
    expect([a.value?.frames, b.value?.frames]).toEqual([2, 3]);
  });

  it('wraps a throwing generator as E_SOURCE with the cause', async () => {
    const source = new CallbackSource(function* () {
      yield [new Float32Array(1), new Float32Array(1)];
      throw new Error('microphone unplugged');
    }, format);
    const error = await expectCode(collect(source), 'E_SOURCE');
    expect((error.cause as Error).message).toBe('microphone unplugged');
  });
});
