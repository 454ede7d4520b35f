import type { AudioChunk, AudioFormat, Sink, Source } from '@sluice/core';
import type { AudioRingBuffer } from '../audio/audio-ring-buffer';
import type { WaitOptions } from '../audio/waiters';
import { requirePositiveInteger, ringBufferError } from '../errors/ring-buffer-error';
import { LocalStamper, type PullIterator, pullIterator } from './chunk';

/**
 * A Sink that writes into an AudioRingBuffer, waiting for room (so a full
 * buffer slows the pipeline down instead of dropping audio). `close()` marks
 * the end of the stream so a {@link ringBufferSource} drains and finishes.
 */
export function ringBufferSink(ring: AudioRingBuffer, options: WaitOptions = {}): Sink {
  return {
    name: 'ring-buffer-sink',
    open(format: AudioFormat) {
      if (format.channels !== ring.channels) {
        throw ringBufferError('E_FORMAT', `ringBufferSink: the stream has ${format.channels} channels, the ring buffer ${ring.channels}`);
      }
    },
    async write(chunk: AudioChunk) {
      let offset = 0;
      while (offset < chunk.frames) {
        const piece = Math.min(chunk.frames - offset, ring.capacity);
        await ring.waitForFree(piece, options);
        ring.write(offset === 0 && piece === chunk.frames ? chunk.planes : chunk.planes.map((p) => p.subarray(offset, offset + piece)));
        offset += piece;
      }
    },
    close() {
      ring.end();
    },
    abort() {
      ring.end();
    },
  };
}

/**
 * A Source that reads fixed-size chunks out of an AudioRingBuffer as they
 * arrive, until the producer calls `end()`; the rest is the final chunk.
 * Chunks already in the buffer are handed out synchronously.
 */
export function ringBufferSource(ring: AudioRingBuffer, options: { sampleRate: number; chunkFrames?: number } & WaitOptions): Source {
  const chunkFrames = requirePositiveInteger(options.chunkFrames ?? 1024, 'chunkFrames', 'ringBufferSource');
  if (chunkFrames > ring.capacity) {
    throw ringBufferError('E_INVALID_ARGUMENT', `ringBufferSource: chunkFrames ${chunkFrames} is larger than the ring (${ring.capacity})`);
  }
  const format = { sampleRate: requirePositiveInteger(options.sampleRate, 'sampleRate', 'ringBufferSource'), channels: ring.channels };
  return {
    format,
    name: 'ring-buffer-source',
    [Symbol.asyncIterator](): PullIterator {
      const stamper = new LocalStamper(format);
      let finished = false;
      const take = (): IteratorResult<AudioChunk> | undefined => {
        if (finished) return { done: true, value: undefined };
        if (ring.available >= chunkFrames && !(ring.isEnded && ring.available === chunkFrames)) {
          return { done: false, value: stamper.stamp(ring.read(chunkFrames), false) };
        }
        if (ring.isEnded) {
          finished = true;
          return { done: false, value: stamper.stamp(ring.read(ring.available), true) };
        }
        return undefined;
      };
      return pullIterator(
        take,
        () => ring.waitForAvailable(chunkFrames, options),
        () => {
          finished = true;
        },
      );
    },
  };
}
