import type { AudioChunk } from '@sluice/core';
import { requirePositiveInteger, ringBufferError } from '../errors/ring-buffer-error';
import { ViewCache } from '../view-cache';
import { type WaitOptions, Waiters } from './waiters';

/** What a full buffer does with a write that does not fit. */
export type OverflowPolicy = 'reject' | 'overwrite' | 'throw';

/** Options for {@link AudioRingBuffer}. */
export interface AudioRingBufferOptions {
  /** Frames the buffer holds. */
  capacityFrames: number;
  /** Channels per frame. */
  channels: number;
  /**
   * When a write does not fit: `reject` writes what fits and counts the rest
   * as overrun (default); `overwrite` drops the oldest frames to make room and
   * counts them as dropped; `throw` writes nothing and throws `E_BUFFER_OVERFLOW`.
   */
  overflow?: OverflowPolicy;
}

/** Counters and fill state, for pipelines and monitoring. */
export interface RingBufferState {
  /** Frames that can be read now. */
  readonly available: number;
  /** Frames that can be written now without overflow. */
  readonly free: number;
  /** Total capacity in frames. */
  readonly capacity: number;
  /** Write calls that did not fit entirely (reject and throw policies). */
  readonly overruns: number;
  /** Reads that asked for more frames than were available. */
  readonly underruns: number;
  /** Frames discarded: rejected input (reject) or overwritten old frames (overwrite). */
  readonly droppedFrames: number;
  /** Frames written in total. */
  readonly framesWritten: number;
  /** Frames read (consumed) in total. */
  readonly framesRead: number;
}

/**
 * A planar float32 ring buffer for one thread, like mlx-audio's
 * `AudioRingBuffer(capacity, channels)`: write planes or chunks, read frames,
 * peek, skip, wait for data or room, and read overlapping windows (read N
 * frames, consume only a hop H < N) as overlap-add processing needs.
 *
 * Memory is fixed at construction: `capacityFrames × channels × 4` bytes.
 */
export class AudioRingBuffer {
  readonly capacity: number;
  readonly channels: number;
  readonly overflow: OverflowPolicy;
  private readonly planes: Float32Array[];
  private readonly views: ViewCache[];
  private readIndex = 0;
  private writeIndex = 0;
  private counters = { overruns: 0, underruns: 0, droppedFrames: 0 };
  private ended = false;
  private readonly waiters = new Waiters();

  constructor(options: AudioRingBufferOptions) {
    this.capacity = requirePositiveInteger(options?.capacityFrames, 'capacityFrames', 'AudioRingBuffer');
    this.channels = requirePositiveInteger(options.channels, 'channels', 'AudioRingBuffer');
    this.overflow = options.overflow ?? 'reject';
    if (!['reject', 'overwrite', 'throw'].includes(this.overflow)) {
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `AudioRingBuffer: overflow must be reject, overwrite or throw, got ${String(options.overflow)}`,
      );
    }
    this.planes = Array.from({ length: this.channels }, () => new Float32Array(this.capacity));
    this.views = this.planes.map((plane) => new ViewCache(plane));
  }

  /** Frames that can be read now. */
  get available(): number {
    return this.writeIndex - this.readIndex;
  }

  /** Frames that fit without overflow. */
  get free(): number {
    return this.capacity - this.available;
  }

  /** True once {@link end} was called and everything was read. */
  get drained(): boolean {
    return this.ended && this.available === 0;
  }

  /** True once the producer called {@link end}. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Counters and fill state. */
  get state(): RingBufferState {
    return {
      available: this.available,
      free: this.free,
      capacity: this.capacity,
      ...this.counters,
      framesWritten: this.writeIndex,
      framesRead: this.readIndex,
    };
  }

  /**
   * Writes planes (one Float32Array per channel, equal lengths) or a chunk's
   * planes. Returns the frames written, which the overflow policy decides
   * when the buffer is full.
   */
  write(input: readonly Float32Array[] | AudioChunk): number {
    const planes = Array.isArray(input) ? (input as readonly Float32Array[]) : (input as AudioChunk).planes;
    if (planes.length !== this.channels) {
      throw ringBufferError('E_FORMAT', `AudioRingBuffer: write has ${planes.length} channel(s), the buffer has ${this.channels}`);
    }
    const frames = planes[0]?.length ?? 0;
    for (let c = 1; c < planes.length; c++) {
      if (planes[c]?.length !== frames) throw ringBufferError('E_FORMAT', 'AudioRingBuffer: write has channels of different lengths');
    }
    if (this.ended) throw ringBufferError('E_CLOSED', 'AudioRingBuffer: write after end()');
    let skip = 0;
    let count = frames;
    if (frames > this.free) {
      if (this.overflow === 'throw') {
        throw ringBufferError('E_BUFFER_OVERFLOW', `AudioRingBuffer: ${frames} frames do not fit (${this.free} free of ${this.capacity})`, {
          frames,
          free: this.free,
        });
      }
      if (this.overflow === 'reject') {
        this.counters.overruns++;
        this.counters.droppedFrames += frames - this.free;
        count = this.free;
      } else {
        // overwrite: keep the newest `capacity` frames of old + new.
        if (frames > this.capacity) {
          skip = frames - this.capacity;
          count = this.capacity;
        }
        const drop = Math.max(0, count - this.free);
        this.readIndex += drop;
        this.counters.droppedFrames += drop + skip;
      }
    }
    if (count > 0) {
      this.copyIn(planes, skip, count);
      this.writeIndex += count;
      this.waiters.notify();
    }
    return count;
  }

  /** Reads up to `frames` frames into new planes (fewer when fewer are available: an underrun). */
  read(frames: number): Float32Array[] {
    const count = this.checkRead(frames, 'read');
    const out = Array.from({ length: this.channels }, () => new Float32Array(count));
    this.copyOut(out, 0, count, 0);
    this.consume(count);
    return out;
  }

  /** Reads into caller-owned planes (no allocation); returns frames read. */
  readInto(planes: Float32Array[], offset = 0): number {
    const count = this.checkRead((planes[0]?.length ?? 0) - offset, 'readInto', planes);
    this.copyOut(planes, offset, count, 0);
    this.consume(count);
    return count;
  }

  /** Copies up to `frames` frames without consuming them. */
  peek(frames: number): Float32Array[] {
    const count = Math.min(this.checkFrames(frames, 'peek'), this.available);
    const out = Array.from({ length: this.channels }, () => new Float32Array(count));
    this.copyOut(out, 0, count, 0);
    return out;
  }

  /** Copies into caller-owned planes without consuming; returns frames copied. */
  peekInto(planes: Float32Array[], offset = 0): number {
    this.checkPlanes(planes, 'peekInto');
    const count = Math.min((planes[0]?.length ?? 0) - offset, this.available);
    this.copyOut(planes, offset, count, 0);
    return count;
  }

  /** Discards up to `frames` frames; returns how many were discarded. */
  skip(frames: number): number {
    const count = Math.min(this.checkFrames(frames, 'skip'), this.available);
    this.consume(count);
    return count;
  }

  /**
   * Overlapped read: copies a window of `windowFrames` into `planes` but
   * consumes only `hopFrames`, so the next window overlaps this one by
   * `windowFrames − hopFrames`. Returns false (and copies nothing) until a
   * whole window is available.
   */
  readWindowInto(planes: Float32Array[], hopFrames: number): boolean {
    this.checkPlanes(planes, 'readWindowInto');
    const window = planes[0]?.length ?? 0;
    if (window > this.capacity) {
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `AudioRingBuffer: a window of ${window} frames is larger than the capacity (${this.capacity})`,
      );
    }
    if (!Number.isInteger(hopFrames) || hopFrames <= 0 || hopFrames > window) {
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `AudioRingBuffer: hopFrames must be an integer in 1..${window}, got ${String(hopFrames)}`,
      );
    }
    if (this.available < window) return false;
    this.copyOut(planes, 0, window, 0);
    this.consume(hopFrames);
    return true;
  }

  /** Overlapped read into new planes, or null until a whole window is available. */
  readWindow(windowFrames: number, hopFrames: number): Float32Array[] | null {
    this.checkFrames(windowFrames, 'readWindow');
    if (this.available < windowFrames) return null;
    const out = Array.from({ length: this.channels }, () => new Float32Array(windowFrames));
    return this.readWindowInto(out, hopFrames) ? out : null;
  }

  /** Empties the buffer (counters are kept). */
  clear(): void {
    this.readIndex = this.writeIndex;
    this.waiters.notify();
  }

  /** Marks the end of the stream: waiters for data wake up; reads drain what is left. */
  end(): void {
    this.ended = true;
    this.waiters.notify();
  }

  /** Resets for a new stream: empties the buffer, clears counters and the end mark. */
  reset(): void {
    this.readIndex = 0;
    this.writeIndex = 0;
    this.counters = { overruns: 0, underruns: 0, droppedFrames: 0 };
    this.ended = false;
    this.waiters.notify();
  }

  /**
   * Resolves once `frames` frames can be read (or the stream ended: check
   * `available`). Rejects with `E_TIMEOUT` or `E_ABORTED`.
   */
  waitForAvailable(frames: number, options: WaitOptions = {}): Promise<void> {
    this.checkFrames(frames, 'waitForAvailable');
    return this.waiters.wait(() => this.available >= frames || this.ended, options, `${frames} frames to read`);
  }

  /** Resolves once `frames` frames can be written. Rejects with `E_TIMEOUT` or `E_ABORTED`. */
  waitForFree(frames: number, options: WaitOptions = {}): Promise<void> {
    this.checkFrames(frames, 'waitForFree');
    return this.waiters.wait(() => this.free >= frames, options, `room for ${frames} frames`);
  }

  private checkFrames(frames: number, what: string): number {
    if (!Number.isInteger(frames) || frames < 0) {
      throw ringBufferError('E_INVALID_ARGUMENT', `AudioRingBuffer.${what}: frames must be a non-negative integer, got ${String(frames)}`);
    }
    if (frames > this.capacity) {
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `AudioRingBuffer.${what}: ${frames} frames is more than the capacity (${this.capacity}); read in smaller pieces or make the buffer larger`,
      );
    }
    return frames;
  }

  private checkPlanes(planes: Float32Array[], what: string): void {
    if (planes.length !== this.channels) {
      throw ringBufferError(
        'E_FORMAT',
        `AudioRingBuffer.${what}: ${planes.length} plane(s) given, the buffer has ${this.channels} channels`,
      );
    }
  }

  private checkRead(frames: number, what: string, planes?: Float32Array[]): number {
    if (planes !== undefined) this.checkPlanes(planes, what);
    this.checkFrames(frames, what);
    if (frames > this.available) this.counters.underruns++;
    return Math.min(frames, this.available);
  }

  private consume(frames: number): void {
    if (frames === 0) return;
    this.readIndex += frames;
    this.waiters.notify();
  }

  private copyIn(planes: readonly Float32Array[], skip: number, count: number): void {
    const start = this.writeIndex % this.capacity;
    const first = Math.min(count, this.capacity - start);
    for (let c = 0; c < this.channels; c++) {
      const source = planes[c] as Float32Array;
      const target = this.planes[c] as Float32Array;
      if (skip === 0 && first === source.length) {
        target.set(source, start);
      } else {
        target.set(source.subarray(skip, skip + first), start);
        if (count > first) target.set(source.subarray(skip + first, skip + count), 0);
      }
    }
  }

  /** Copies `count` frames starting `from` frames after the read position into planes at `offset`. */
  private copyOut(out: Float32Array[], offset: number, count: number, from: number): void {
    if (count === 0) return;
    const start = (this.readIndex + from) % this.capacity;
    const first = Math.min(count, this.capacity - start);
    for (let c = 0; c < this.channels; c++) {
      const target = out[c] as Float32Array;
      const views = this.views[c] as ViewCache;
      target.set(views.get(start, first), offset);
      if (count > first) target.set(views.get(0, count - first), offset + first);
    }
  }
}
