import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '@sluice/config/ts-worker';
import { CallbackSink, Pipeline } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { AudioRingBuffer, SharedRingBuffer, ringBufferSink, ringBufferSource, sharedRingBufferSource } from '../src/index';
import { ToneSource, CollectSink, run } from '@sluice/core';
import { patternValue } from './fixtures/pattern';

function startProducer(buffer: SharedArrayBuffer, totalFrames: number, blockFrames: number, planar: boolean, inPlace: boolean): Worker {
  return startTsWorker(new URL('./fixtures/producer-worker.ts', import.meta.url), {
    workerData: { buffer, totalFrames, blockFrames, planar, inPlace },
  });
}

describe('SharedRingBuffer across two threads', () => {
  it.each([
    ['interleaved', false, 128, false],
    ['planar', true, 1000, false],
    ['in place (claimWrite/commitWrite)', false, 300, true],
  ] as const)(
    '%s: a worker produces 2 million frames, the main thread receives every one, in order',
    async (_name, planar, block, inPlace) => {
      const totalFrames = 2_000_000;
      const ring = SharedRingBuffer.create({ capacityFrames: 4096, channels: 2, sampleRate: 48000 });
      const worker = startProducer(ring.buffer, totalFrames, block, planar, inPlace);
      // If the producer dies, abort the consumer instead of waiting for frames that never come.
      const controller = new AbortController();
      const exited = new Promise<number>((resolve, reject) => {
        worker.once('exit', resolve);
        worker.once('error', (error) => {
          controller.abort(error);
          reject(error);
        });
      });
      let received = 0;
      let mismatches = 0;
      let checksum = 0;
      let expectedChecksum = 0;
      const sink = new CallbackSink((chunk) => {
        const left = chunk.planes[0] as Float32Array;
        const right = chunk.planes[1] as Float32Array;
        for (let i = 0; i < chunk.frames; i++) {
          const index = received + i;
          if (left[i] !== patternValue(index, 0) || right[i] !== patternValue(index, 1)) mismatches++;
          checksum = (checksum * 31 + (left[i] as number) * 65536 + (right[i] as number) * 3) % 1e9;
          expectedChecksum = (expectedChecksum * 31 + patternValue(index, 0) * 65536 + patternValue(index, 1) * 3) % 1e9;
        }
        received += chunk.frames;
      });
      const stats = await new Pipeline({
        source: sharedRingBufferSource(ring, { chunkFrames: 512 }),
        sink,
        signal: controller.signal,
      }).wait();
      expect(await exited).toBe(0);
      expect(received).toBe(totalFrames);
      expect(mismatches).toBe(0);
      expect(checksum).toBe(expectedChecksum);
      expect(stats.inputFrames).toBe(totalFrames);
      expect(ring.overruns).toBe(0);
    },
    120_000,
  );
});

describe('AudioRingBuffer in a pipeline', () => {
  it('a producer pipeline and a consumer pipeline meet in a small ring without losing a frame', async () => {
    const ring = new AudioRingBuffer({ capacityFrames: 3000, channels: 2 });
    const reference = new CollectSink();
    await run(new ToneSource({ frames: 50_000, channels: 2, chunkFrames: 1234 }), reference);
    const received = new CollectSink();
    const [producer, consumer] = await Promise.all([
      run(new ToneSource({ frames: 50_000, channels: 2, chunkFrames: 1234 }), ringBufferSink(ring)),
      run(ringBufferSource(ring, { sampleRate: 44100, chunkFrames: 700 }), received),
    ]);
    expect(producer.frames).toBe(50_000);
    expect(consumer.frames).toBe(50_000);
    expect(received.planes).toEqual(reference.planes);
    expect(ring.state.droppedFrames).toBe(0);
  });
});
