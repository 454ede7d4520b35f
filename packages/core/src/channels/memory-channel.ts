import { ChannelBase } from './channel-base';
import type { ChannelChunk, ChannelConfig } from './types';

/** An in-memory channel: fastest, bounded by its byte budget (default 1 MiB). */
export class MemoryChannel<T extends ChannelChunk = ChannelChunk> extends ChannelBase<T> {
  private queue: (T | undefined)[] = [];
  private head = 0;

  constructor(id: string, config: ChannelConfig = {}) {
    super(id, config, 1024 * 1024);
  }

  protected store(piece: T): void {
    this.queue.push(piece);
  }

  protected load(): T {
    const piece = this.queue[this.head] as T;
    this.queue[this.head++] = undefined;
    // Compact now and then instead of shift() on every receive.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return piece;
  }
}
