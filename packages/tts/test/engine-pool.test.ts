import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EnginePool, type SynthesisEvent, type SynthesizeOptions, type TtsEngine, TtsStream } from '../src/index';

// Issue 16 (part): a pool of engines shared fairly. The engines are a small in-test one (each request takes a
// few ms and yields a tone), so the order in which the pool hands out requests can be observed exactly.
const order: string[] = [];

function recordingEngine(): TtsEngine {
  return {
    name: 'recording',
    sampleRate: 8000,
    maxSegmentChars: 14,
    supportsSsml: false,
    voices: async () => [{ id: 'v', name: 'v', language: 'en' }],
    async *synthesize(text: string, _options?: SynthesizeOptions, signal?: AbortSignal): AsyncIterable<SynthesisEvent> {
      order.push(text.trim());
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (signal?.aborted) return;
      yield { type: 'audio', samples: new Float32Array(800).fill(0.1) };
    },
  };
}

async function drain(stream: TtsStream): Promise<number> {
  let frames = 0;
  for await (const chunk of stream) frames += chunk.frames;
  return frames;
}

describe('EnginePool', () => {
  it('every stream’s first sentence before any stream’s second, then round-robin', async () => {
    order.length = 0;
    const pool = new EnginePool({ create: recordingEngine, size: 1 });
    const streams = ['Alpha', 'Bravo', 'Charlie'].map((name) => {
      const stream = new TtsStream({ engine: pool, prefetch: 2 });
      stream.feed(`${name} one. ${name} two. ${name} three. ${name} four.`);
      stream.done();
      return stream;
    });
    const frames = await Promise.all(streams.map(drain));
    expect(frames.every((count) => count > 0)).toBe(true);
    // The first three requests are the three first sentences, whichever stream asked first.
    expect(order.slice(0, 3).sort()).toEqual(['Alpha one.', 'Bravo one.', 'Charlie one.']);
    // Then no stream gets two turns in a row while another waits.
    const later = order.slice(3).map((text) => text[0]);
    for (let i = 1; i < later.length - 2; i++) expect(later[i]).not.toBe(later[i - 1]);
    expect(order.length).toBeGreaterThanOrEqual(12);
    await pool.close();
  });

  it('a request served from the queue takes its abort listener with it (no listener per segment left on the signal)', async () => {
    const pool = new EnginePool({ create: recordingEngine, size: 1 });
    const controller = new AbortController();
    // Thirty queued requests on one signal, one after another through a single engine.
    const requests = Array.from({ length: 30 }, async (_, i) => {
      for await (const _event of pool.synthesize(`Request ${i}.`, { schedule: { stream: {}, index: 1 } }, controller.signal)) {
      }
    });
    await Promise.all(requests);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await pool.close();
  });

  it('a stream that is aborted while queued leaves the queue at once; the others still finish', async () => {
    order.length = 0;
    const pool = new EnginePool({ create: recordingEngine, size: 1 });
    const controller = new AbortController();
    const kept = new TtsStream({ engine: pool });
    kept.feed('Kept one. Kept two. Kept three.');
    kept.done();
    const dropped = new TtsStream({ engine: pool, signal: controller.signal });
    dropped.feed('Dropped one. Dropped two. Dropped three.');
    dropped.done();
    dropped.on('error', () => undefined);
    const dropping = drain(dropped).catch((error: unknown) => error);
    controller.abort();
    await dropping;
    expect(await drain(kept)).toBeGreaterThan(0);
    // At most the request already running when it was aborted reached an engine.
    expect(order.filter((text) => text.startsWith('Dropped')).length).toBeLessThanOrEqual(1);
    expect(pool.queued).toBe(0);
    await pool.close();
  });

  it('uses every engine at once when there is work for them', async () => {
    let running = 0;
    let most = 0;
    const pool = new EnginePool({
      size: 3,
      create: () => ({
        ...recordingEngine(),
        async *synthesize() {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          running--;
          yield { type: 'audio', samples: new Float32Array(80) } as SynthesisEvent;
        },
      }),
    });
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const stream = new TtsStream({ engine: pool });
        stream.feed('One. Two.');
        stream.done();
        await drain(stream);
      }),
    );
    expect(most).toBe(3);
    await pool.close();
  });
});
