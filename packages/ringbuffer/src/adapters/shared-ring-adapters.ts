import type { AudioChunk, AudioFormat, Sink, Source } from '@sluice/core';
import { requirePositiveInteger, ringBufferError } from '../errors/ring-buffer-error';
import type { SharedRingBuffer } from '../shared/shared-ring-buffer';
import { LocalStamper, type PullIterator, pullIterator } from './chunk';

/**
 * The producer half of a cross-thread pipeline: a Sink that pushes chunks
 * into a SharedRingBuffer, waiting (without blocking the event loop) while
 * the ring is full. `close()` closes the ring so the consumer finishes.
 */
export function sharedRingBufferSink(ring: SharedRingBuffer): Sink {
  return {
    name: 'shared-ring-buffer-sink',
    open(format: AudioFormat) {
      if (format.channels !== ring.channels) {
        throw ringBufferError('E_FORMAT', `sharedRingBufferSink: the stream has ${format.channels} channels, the ring ${ring.channels}`);
      }
    },
    async write(chunk: AudioChunk) {
      let offset = 0;
      while (offset < chunk.frames) {
        const planes = offset === 0 ? chunk.planes : chunk.planes.map((p) => p.subarray(offset));
        offset += ring.pushPlanar(planes, chunk.frames - offset);
        if (offset < chunk.frames) await ring.freeAsync(Math.min(ring.capacity, chunk.frames - offset));
      }
    },
    close() {
      ring.close();
    },
    abort() {
      ring.close();
    },
  };
}

/**
 * The consumer half: a Source over a SharedRingBuffer filled by another
 * thread. Emits `chunkFrames`-frame chunks as they arrive (synchronously
 * when they are already there) and the remainder as the final chunk once
 * the producer closes the ring.
 */
export function sharedRingBufferSource(ring: SharedRingBuffer, options: { sampleRate?: number; chunkFrames?: number } = {}): Source {
  const chunkFrames = requirePositiveInteger(options.chunkFrames ?? 1024, 'chunkFrames', 'sharedRingBufferSource');
  if (chunkFrames > ring.capacity) {
    throw ringBufferError(
      'E_INVALID_ARGUMENT',
      `sharedRingBufferSource: chunkFrames ${chunkFrames} is larger than the ring (${ring.capacity})`,
    );
  }
  const sampleRate = options.sampleRate ?? ring.sampleRate;
  const format = { sampleRate: requirePositiveInteger(sampleRate, 'sampleRate', 'sharedRingBufferSource'), channels: ring.channels };
  const planesOf = (frames: number) => Array.from({ length: ring.channels }, () => new Float32Array(frames));
  return {
    format,
    name: 'shared-ring-buffer-source',
    [Symbol.asyncIterator](): PullIterator {
      const stamper = new LocalStamper(format);
      let finished = false;
      const take = (): IteratorResult<AudioChunk> | undefined => {
        if (finished) return { done: true, value: undefined };
        // Read `closed` before `available`: everything pushed before close() is then visible.
        const closed = ring.closed;
        const available = ring.available;
        if (available > chunkFrames || (available === chunkFrames && !closed)) {
          const planes = planesOf(chunkFrames);
          ring.popPlanar(planes);
          return { done: false, value: stamper.stamp(planes, false) };
        }
        if (closed) {
          finished = true;
          const planes = planesOf(available);
          ring.popPlanar(planes);
          return { done: false, value: stamper.stamp(planes, true) };
        }
        return undefined;
      };
      return pullIterator(
        take,
        () => ring.availableAsync(chunkFrames + 1),
        () => {
          finished = true;
        },
      );
    },
  };
}
