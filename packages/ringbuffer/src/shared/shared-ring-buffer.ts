import { requirePositiveInteger, ringBufferError } from '../errors/ring-buffer-error';
import { ViewCache } from '../view-cache';
import { HEADER_BYTES, LAYOUT_VERSION, MAGIC, Slot, sharedRingBytes } from './layout';

/** Options for {@link SharedRingBuffer.create}. */
export interface SharedRingBufferOptions {
  /** Frames the buffer holds. Making it a multiple of your block size keeps every copy in one piece. */
  capacityFrames: number;
  /** Channels per frame. */
  channels: number;
  /** Sample rate of the stream (stored in the header for the other side; optional). */
  sampleRate?: number;
}

/**
 * A wait-free single-producer single-consumer ring buffer of float32 frames
 * on a SharedArrayBuffer, for passing audio between threads (worker_threads,
 * AudioWorklet-style real-time code). One side writes, the other reads;
 * each side creates its own `SharedRingBuffer` over the same memory
 * ({@link SharedRingBuffer.create} on one side, {@link SharedRingBuffer.attach}
 * with the posted `buffer` on the other).
 *
 * Samples are stored interleaved, so interleaved push/pop are straight
 * `TypedArray.set` copies; planar push/pop interleave on the way. Views of
 * the storage are cached, so steady block-sized traffic allocates nothing.
 * The layout is documented in `layout.ts`.
 */
export class SharedRingBuffer {
  /** The shared memory; post it to the other thread and `attach` there. */
  readonly buffer: SharedArrayBuffer;
  /** Capacity in frames. */
  readonly capacity: number;
  /** Channels per frame. */
  readonly channels: number;
  private readonly header: Int32Array;
  private readonly data: Float32Array;
  private readonly views: ViewCache;
  private readonly span: number;
  /** Position claimed by the last claimWrite/claimRead (a field, so the hot path allocates nothing). */
  private claimed = 0;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.capacity = this.header[Slot.CAPACITY] as number;
    this.channels = this.header[Slot.CHANNELS] as number;
    this.data = new Float32Array(buffer, HEADER_BYTES, this.capacity * this.channels);
    this.views = new ViewCache(this.data);
    this.span = 2 * this.capacity;
  }

  /** Allocates shared memory for a new ring and returns the producer's or consumer's handle on it. */
  static create(options: SharedRingBufferOptions): SharedRingBuffer {
    const capacity = requirePositiveInteger(options?.capacityFrames, 'capacityFrames', 'SharedRingBuffer');
    const channels = requirePositiveInteger(options.channels, 'channels', 'SharedRingBuffer');
    if (capacity > 2 ** 29)
      throw ringBufferError('E_INVALID_ARGUMENT', `SharedRingBuffer: capacityFrames ${capacity} is above the limit of 2^29`);
    const buffer = new SharedArrayBuffer(sharedRingBytes(capacity, channels));
    const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    header[Slot.MAGIC] = MAGIC;
    header[Slot.VERSION] = LAYOUT_VERSION;
    header[Slot.CAPACITY] = capacity;
    header[Slot.CHANNELS] = channels;
    header[Slot.SAMPLE_RATE] = options.sampleRate ?? 0;
    return new SharedRingBuffer(buffer);
  }

  /**
   * Attaches to a ring created elsewhere (e.g. `workerData.buffer`). Throws
   * `E_INVALID_ARGUMENT` for anything that is not a Sluice ring of the right size.
   */
  static attach(buffer: SharedArrayBuffer): SharedRingBuffer {
    if (!(buffer instanceof SharedArrayBuffer)) {
      throw ringBufferError('E_INVALID_ARGUMENT', 'SharedRingBuffer.attach: expected a SharedArrayBuffer');
    }
    if (buffer.byteLength < HEADER_BYTES) {
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `SharedRingBuffer.attach: ${buffer.byteLength} bytes is smaller than the ${HEADER_BYTES}-byte header`,
      );
    }
    const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    if (header[Slot.MAGIC] !== MAGIC || header[Slot.VERSION] !== LAYOUT_VERSION) {
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        'SharedRingBuffer.attach: this SharedArrayBuffer was not created by SharedRingBuffer.create (bad magic or version)',
      );
    }
    const expected = sharedRingBytes(header[Slot.CAPACITY] as number, header[Slot.CHANNELS] as number);
    if (buffer.byteLength !== expected) {
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `SharedRingBuffer.attach: the buffer has ${buffer.byteLength} bytes, its header describes ${expected} (${header[Slot.CAPACITY]} frames × ${header[Slot.CHANNELS]} channels)`,
      );
    }
    return new SharedRingBuffer(buffer);
  }

  /** Sample rate stored at creation (0 when not given). */
  get sampleRate(): number {
    return this.header[Slot.SAMPLE_RATE] as number;
  }

  /** Frames ready to read (exact for the consumer, a lower bound for the producer). */
  get available(): number {
    const w = Atomics.load(this.header, Slot.WRITE);
    const r = Atomics.load(this.header, Slot.READ);
    return (w - r + this.span) % this.span;
  }

  /** Frames that fit now (exact for the producer, a lower bound for the consumer). */
  get free(): number {
    return this.capacity - this.available;
  }

  /** True once the producer called {@link close}. */
  get closed(): boolean {
    return Atomics.load(this.header, Slot.CLOSED) === 1;
  }

  /** Writes that did not fit entirely. */
  get overruns(): number {
    return Atomics.load(this.header, Slot.OVERRUNS);
  }

  /** Reads that found fewer frames than asked. */
  get underruns(): number {
    return Atomics.load(this.header, Slot.UNDERRUNS);
  }

  /**
   * Producer: writes up to `frames` interleaved frames from `samples`
   * (default: all of it). Returns the frames written; what does not fit is
   * not written (an overrun).
   */
  push(samples: Float32Array, frames = samples.length / this.channels): number {
    const count = this.claimWrite(frames);
    if (count === 0) return 0;
    const w = this.claimed;
    const start = w % this.capacity;
    const channels = this.channels;
    if (start + count <= this.capacity && count * channels === samples.length) {
      this.data.set(samples, start * channels);
    } else {
      copyInterleavedIn(this.data, samples, start, count, this.capacity, channels);
    }
    this.commitWrite(count);
    return count;
  }

  /**
   * Consumer: reads up to `frames` interleaved frames into `out` (default:
   * as many as `out` holds). Returns the frames read.
   */
  pop(out: Float32Array, frames = out.length / this.channels): number {
    const count = this.claimRead(frames);
    if (count === 0) return 0;
    const start = this.claimed % this.capacity;
    const channels = this.channels;
    const first = Math.min(count, this.capacity - start);
    out.set(this.views.get(start * channels, first * channels), 0);
    if (count > first) out.set(this.views.get(0, (count - first) * channels), first * channels);
    this.commitRead(count);
    return count;
  }

  /** Producer: writes planar frames (one array per channel), interleaving on the way. Returns frames written. */
  pushPlanar(planes: readonly Float32Array[], frames = planes[0]?.length ?? 0): number {
    this.checkPlanes(planes);
    const count = this.claimWrite(frames);
    if (count === 0) return 0;
    const channels = this.channels;
    const data = this.data;
    let slot = this.claimed % this.capacity;
    for (let i = 0; i < count; i++) {
      const base = slot * channels;
      for (let c = 0; c < channels; c++) data[base + c] = (planes[c] as Float32Array)[i] as number;
      if (++slot === this.capacity) slot = 0;
    }
    this.commitWrite(count);
    return count;
  }

  /** Consumer: reads into planar arrays, de-interleaving on the way. Returns frames read. */
  popPlanar(planes: Float32Array[], frames = planes[0]?.length ?? 0, offset = 0): number {
    this.checkPlanes(planes);
    const count = this.claimRead(frames);
    if (count === 0) return 0;
    const channels = this.channels;
    const data = this.data;
    let slot = this.claimed % this.capacity;
    for (let i = 0; i < count; i++) {
      const base = slot * channels;
      for (let c = 0; c < channels; c++) (planes[c] as Float32Array)[offset + i] = data[base + c] as number;
      if (++slot === this.capacity) slot = 0;
    }
    this.commitRead(count);
    return count;
  }

  /** Producer: ends the stream; a consumer waiting for data wakes up and drains the rest. */
  close(): void {
    Atomics.store(this.header, Slot.CLOSED, 1);
    Atomics.notify(this.header, Slot.WRITE);
  }

  /**
   * Consumer, blocking (worker threads only; not on a real-time thread):
   * sleeps until `frames` frames are available, the stream is closed, or
   * `timeoutMs` passes. Returns the frames available.
   */
  waitForAvailable(frames: number, timeoutMs = Number.POSITIVE_INFINITY): number {
    this.checkWaitFrames(frames);
    this.block(() => this.available >= frames || this.closed, Slot.WRITE, Slot.CONSUMER_WAIT, timeoutMs);
    return this.available;
  }

  /** Producer, blocking (worker threads only): sleeps until `frames` frames fit or `timeoutMs` passes. Returns the free frames. */
  waitForFree(frames: number, timeoutMs = Number.POSITIVE_INFINITY): number {
    this.checkWaitFrames(frames);
    this.block(() => this.free >= frames, Slot.READ, Slot.PRODUCER_WAIT, timeoutMs);
    return this.free;
  }

  /**
   * Sleeps on the other side's position slot until `ready()`. The flag
   * announces the sleeper so the other side notifies only when someone
   * waits; the condition is checked again after announcing, so a change in
   * between is never missed.
   */
  private block(ready: () => boolean, slot: number, flag: number, timeoutMs: number): void {
    const deadline = performance.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      const observed = Atomics.load(this.header, slot);
      Atomics.store(this.header, flag, 1);
      if (!ready()) Atomics.wait(this.header, slot, observed, Number.isFinite(left) ? left : undefined);
      Atomics.store(this.header, flag, 0);
    }
  }

  /**
   * Non-blocking wait for an event-loop thread (the main thread, where
   * `Atomics.wait` is not allowed or not wanted): resolves when `frames` are
   * available or the stream is closed. Uses `Atomics.waitAsync`.
   */
  async availableAsync(frames: number, options: { timeoutMs?: number } = {}): Promise<number> {
    this.checkWaitFrames(frames);
    const deadline = performance.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
    return this.pollAsync(() => this.available >= frames || this.closed, Slot.WRITE, Slot.CONSUMER_WAIT, deadline).then(
      () => this.available,
    );
  }

  /** Non-blocking wait for room, for a producer on an event-loop thread. */
  async freeAsync(frames: number, options: { timeoutMs?: number } = {}): Promise<number> {
    this.checkWaitFrames(frames);
    const deadline = performance.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
    return this.pollAsync(() => this.free >= frames, Slot.READ, Slot.PRODUCER_WAIT, deadline).then(() => this.free);
  }

  private async pollAsync(ready: () => boolean, slot: number, flag: number, deadline: number): Promise<void> {
    while (!ready()) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      const observed = Atomics.load(this.header, slot);
      Atomics.store(this.header, flag, 1);
      if (!ready()) {
        const result = Atomics.waitAsync(this.header, slot, observed, Number.isFinite(left) ? left : undefined);
        if (result.async) await result.value;
      }
      Atomics.store(this.header, flag, 0);
    }
  }

  /** Producer: how many of `frames` fit now (counting an overrun when not all); the write position goes to `claimed`. */
  private claimWrite(frames: number): number {
    const w = Atomics.load(this.header, Slot.WRITE);
    const free = this.capacity - ((w - Atomics.load(this.header, Slot.READ) + this.span) % this.span);
    const count = Math.min(frames, free);
    if (count < frames) Atomics.add(this.header, Slot.OVERRUNS, 1);
    this.claimed = w;
    return count;
  }

  /** Producer: publishes `count` frames written at the claimed position and wakes a sleeping consumer. */
  private commitWrite(count: number): void {
    Atomics.store(this.header, Slot.WRITE, (this.claimed + count) % this.span);
    if (Atomics.load(this.header, Slot.CONSUMER_WAIT) === 1) Atomics.notify(this.header, Slot.WRITE);
  }

  /** Consumer: how many of `frames` can be read now (counting an underrun when not all); the read position goes to `claimed`. */
  private claimRead(frames: number): number {
    const r = Atomics.load(this.header, Slot.READ);
    const available = (Atomics.load(this.header, Slot.WRITE) - r + this.span) % this.span;
    const count = Math.min(frames, available);
    if (count < frames) Atomics.add(this.header, Slot.UNDERRUNS, 1);
    this.claimed = r;
    return count;
  }

  /** Consumer: releases `count` frames read at the claimed position and wakes a sleeping producer. */
  private commitRead(count: number): void {
    Atomics.store(this.header, Slot.READ, (this.claimed + count) % this.span);
    if (Atomics.load(this.header, Slot.PRODUCER_WAIT) === 1) Atomics.notify(this.header, Slot.READ);
  }

  private checkPlanes(planes: readonly Float32Array[]): void {
    if (planes.length !== this.channels) {
      throw ringBufferError('E_FORMAT', `SharedRingBuffer: ${planes.length} plane(s) given, the ring has ${this.channels} channels`);
    }
  }

  private checkWaitFrames(frames: number): void {
    if (!Number.isInteger(frames) || frames < 0 || frames > this.capacity) {
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `SharedRingBuffer: cannot wait for ${String(frames)} frames in a ring of ${this.capacity}`,
      );
    }
  }
}

/** Element copy for the wrapping (or partial) case, so no views of the caller's array are created. */
function copyInterleavedIn(
  data: Float32Array,
  samples: Float32Array,
  start: number,
  count: number,
  capacity: number,
  channels: number,
): void {
  const first = Math.min(count, capacity - start) * channels;
  const total = count * channels;
  const offset = start * channels;
  for (let i = 0; i < first; i++) data[offset + i] = samples[i] as number;
  for (let i = first; i < total; i++) data[i - first] = samples[i] as number;
}
