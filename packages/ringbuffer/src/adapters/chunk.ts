import type { AudioChunk, AudioFormat } from '@sluice/core';

/** Numbers the chunks a ring-buffer source emits (a tiny local stamper: this package has no runtime dependencies). */
export class LocalStamper {
  private seq = 0;
  private frame = 0;
  constructor(readonly format: AudioFormat) {}

  stamp(planes: Float32Array[], final: boolean): AudioChunk {
    const frames = planes[0]?.length ?? 0;
    const chunk: AudioChunk = { format: this.format, planes, frames, seq: this.seq++, startFrame: this.frame, final };
    this.frame += frames;
    return chunk;
  }
}

/** Iterator with the synchronous pull path pipelines look for (see @sluice/core's SyncPullIterator). */
export interface PullIterator extends AsyncIterator<AudioChunk> {
  nextSync(): IteratorResult<AudioChunk> | undefined;
}

/**
 * A pull iterator from a synchronous `take` (a result, or undefined when
 * nothing is ready) and a `wait` for more data: pipelines call `nextSync`,
 * everyone else `next`, which waits and retries. `stop` ends the stream early.
 */
export function pullIterator(
  take: () => IteratorResult<AudioChunk> | undefined,
  wait: () => Promise<unknown>,
  stop: () => void,
): PullIterator {
  return {
    nextSync: take,
    async next() {
      while (true) {
        const result = take();
        if (result !== undefined) return result;
        await wait();
      }
    },
    async return() {
      stop();
      return { done: true, value: undefined };
    },
  };
}
