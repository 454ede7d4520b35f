import { createByteChunk } from '../chunk/byte-chunk';
import { SluiceError } from '../errors/sluice-error';
import { type Deferred, deferred } from '../internal/timeout';
import { chunkByteSize, renumber, splitChunk } from './chunk-size';
import type { ChannelChunk, ChannelConfig, ChannelStats, StreamingChannel } from './types';

/**
 * What memory and file channels share: sequence checks, splitting, the byte
 * budget with waiting senders and receivers, statistics. Subclasses only
 * store and load pieces.
 */
export abstract class ChannelBase<T extends ChannelChunk> implements StreamingChannel<T> {
  readonly id: string;
  protected readonly budgetBytes: number;
  protected readonly maxChunkBytes: number;
  private expectedSeq = 0;
  private outputSeq = 0;
  private sendingClosed = false;
  private failure: SluiceError | undefined;
  private buffered = { bytes: 0, chunks: 0 };
  private counters = { bytesSent: 0, bytesReceived: 0, chunksSent: 0, chunksReceived: 0, blockedMs: 0 };
  private change: Deferred<void> = deferred<void>();
  private sendQueue: Promise<void> = Promise.resolve();
  private receiveQueue: Promise<unknown> = Promise.resolve();

  protected constructor(id: string, config: ChannelConfig, defaultBudget: number) {
    this.id = id;
    this.budgetBytes = config.budgetBytes ?? defaultBudget;
    this.maxChunkBytes = config.maxChunkBytes ?? Math.min(64 * 1024, this.budgetBytes);
    if (!Number.isSafeInteger(this.budgetBytes) || this.budgetBytes <= 0) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `Channel "${id}": budgetBytes must be a positive integer, got ${String(config.budgetBytes)}`,
      );
    }
    if (!Number.isSafeInteger(this.maxChunkBytes) || this.maxChunkBytes <= 0 || this.maxChunkBytes > this.budgetBytes) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `Channel "${id}": maxChunkBytes must be a positive integer no larger than budgetBytes (${this.budgetBytes}), got ${String(config.maxChunkBytes)}`,
      );
    }
  }

  /** Stores one piece (already numbered). */
  protected abstract store(piece: T, size: number): void | Promise<void>;
  /** Loads the oldest stored piece. */
  protected abstract load(): T | Promise<T>;
  /** Releases storage once the stream is over. */
  protected dispose(): void | Promise<void> {}

  get closed(): boolean {
    return this.sendingClosed;
  }

  send(chunk: T): Promise<void> {
    // Sends are serialised so that concurrent callers cannot interleave pieces.
    const step = this.sendQueue.then(() => this.sendNow(chunk));
    this.sendQueue = step.catch(() => {});
    return step;
  }

  /**
   * Sends raw bytes as the next ByteChunk, numbered for you (wasm-sandbox's
   * `send_bytes(data, is_final)`). For byte channels.
   */
  sendBytes(data: Uint8Array, final = false): Promise<void> {
    const step = this.sendQueue.then(() => this.sendNow(createByteChunk({ data, seq: this.expectedSeq, final }) as T));
    this.sendQueue = step.catch(() => {});
    return step;
  }

  receive(): Promise<T | null> {
    const step = this.receiveQueue.then(() => this.receiveNow());
    this.receiveQueue = step.catch(() => {});
    return step;
  }

  close(): void {
    this.sendingClosed = true;
    this.notify();
  }

  abort(reason?: unknown): void {
    this.failure ??= SluiceError.isInstance(reason)
      ? reason
      : new SluiceError('E_ABORTED', `Channel "${this.id}" was aborted`, { cause: reason });
    this.sendingClosed = true;
    this.notify();
    void Promise.resolve(this.dispose()).catch(() => {});
  }

  stats(): ChannelStats {
    const { blockedMs, ...c } = this.counters;
    return {
      ...c,
      blockedSeconds: blockedMs / 1000,
      averageChunkSize: c.chunksSent === 0 ? 0 : c.bytesSent / c.chunksSent,
      bufferedBytes: this.buffered.bytes,
      bufferedChunks: this.buffered.chunks,
    };
  }

  /**
   * Every chunk until the end. A consumer that leaves before the end (a `break`, a `return`, a throw in its loop)
   * cancels the stream, as leaving a web ReadableStream's iteration does: a sender waiting for room, and every
   * later send, fail with `E_CLOSED` instead of waiting for a reader that has gone.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let ended = false;
    try {
      while (true) {
        const chunk = await this.receive();
        if (chunk === null) {
          ended = true;
          return;
        }
        yield chunk;
      }
    } finally {
      if (!ended && this.failure === undefined) {
        this.abort(new SluiceError('E_CLOSED', `Channel "${this.id}": the receiver stopped reading before the end`));
      }
    }
  }

  private async sendNow(chunk: T): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.sendingClosed) {
      throw new SluiceError('E_CLOSED', `Channel "${this.id}": send after the stream ended (a final chunk was sent or close() was called)`);
    }
    if (chunk === null || typeof chunk !== 'object') {
      throw new SluiceError('E_INVALID_ARGUMENT', `Channel "${this.id}": send() needs a ByteChunk or AudioChunk`);
    }
    if (chunk.seq !== this.expectedSeq) {
      throw new SluiceError(
        'E_SEQUENCE',
        `Channel "${this.id}": expected seq ${this.expectedSeq}, got ${chunk.seq}; chunks must be sent in order without gaps`,
        { details: { expected: this.expectedSeq, actual: chunk.seq } },
      );
    }
    this.expectedSeq++;
    for (const piece of splitChunk(chunk, this.maxChunkBytes)) {
      const size = chunkByteSize(piece);
      if (this.buffered.chunks > 0 && this.buffered.bytes + size > this.budgetBytes) {
        const started = performance.now();
        while (this.buffered.chunks > 0 && this.buffered.bytes + size > this.budgetBytes) {
          await this.change.promise;
          if (this.failure !== undefined) throw this.failure;
        }
        this.counters.blockedMs += performance.now() - started;
      }
      await this.store(renumber(piece, this.outputSeq++, piece.final), size);
      this.buffered.bytes += size;
      this.buffered.chunks++;
      this.counters.bytesSent += size;
      this.counters.chunksSent++;
      this.notify();
    }
    if (chunk.final) this.close();
  }

  private async receiveNow(): Promise<T | null> {
    while (this.buffered.chunks === 0) {
      if (this.failure !== undefined) throw this.failure;
      if (this.sendingClosed) {
        await this.dispose();
        return null;
      }
      await this.change.promise;
    }
    if (this.failure !== undefined) throw this.failure;
    const piece = await this.load();
    const size = chunkByteSize(piece);
    this.buffered.bytes -= size;
    this.buffered.chunks--;
    this.counters.bytesReceived += size;
    this.counters.chunksReceived++;
    this.notify();
    return piece;
  }

  private notify(): void {
    const current = this.change;
    this.change = deferred<void>();
    current.resolve();
  }
}
