import { SluiceError } from '../errors/sluice-error';
import { FileChannel, type FileChannelConfig } from './file-channel';
import { MemoryChannel } from './memory-channel';
import type { ChannelChunk, ChannelConfig, StreamingChannel } from './types';

/**
 * Creates channels and finds them by id, like wasm-sandbox's `StreamingManager`.
 * Channels are independent: many can run in parallel without sharing state.
 */
export class ChannelManager {
  private readonly channels = new Map<string, StreamingChannel<ChannelChunk>>();
  private counter = 0;

  /** A new in-memory channel. `id` defaults to `channel-N`; ids must be unique. */
  createChannel<T extends ChannelChunk = ChannelChunk>(id?: string, config?: ChannelConfig): MemoryChannel<T> {
    return this.register(new MemoryChannel<T>(this.claim(id), config));
  }

  /** A new file-backed channel. */
  createFileChannel<T extends ChannelChunk = ChannelChunk>(id?: string, config?: FileChannelConfig): FileChannel<T> {
    return this.register(new FileChannel<T>(this.claim(id), config));
  }

  /** The channel with this id, if any. */
  get<T extends ChannelChunk = ChannelChunk>(id: string): StreamingChannel<T> | undefined {
    return this.channels.get(id) as StreamingChannel<T> | undefined;
  }

  /** Ids of the live channels. */
  list(): string[] {
    return [...this.channels.keys()];
  }

  /** Forgets a channel (closing it first). */
  remove(id: string): boolean {
    this.channels.get(id)?.close();
    return this.channels.delete(id);
  }

  /** Aborts every channel and forgets them all. */
  closeAll(reason?: unknown): void {
    for (const channel of this.channels.values()) channel.abort(reason);
    this.channels.clear();
  }

  private claim(id: string | undefined): string {
    const chosen = id ?? `channel-${++this.counter}`;
    if (this.channels.has(chosen)) throw new SluiceError('E_INVALID_ARGUMENT', `ChannelManager: a channel "${chosen}" already exists`);
    return chosen;
  }

  private register<C extends { readonly id: string }>(channel: C): C {
    this.channels.set(channel.id, channel as unknown as StreamingChannel<ChannelChunk>);
    return channel;
  }
}

/** Shortcuts for one-off channels, like wasm-sandbox's `StreamingFactory`. */
export const StreamingFactory = {
  /** An in-memory channel. */
  createMemoryChannel<T extends ChannelChunk = ChannelChunk>(id: string, config?: ChannelConfig): MemoryChannel<T> {
    return new MemoryChannel<T>(id, config);
  },
  /** A file-backed channel. */
  createFileChannel<T extends ChannelChunk = ChannelChunk>(id: string, config?: FileChannelConfig): FileChannel<T> {
    return new FileChannel<T>(id, config);
  },
};
