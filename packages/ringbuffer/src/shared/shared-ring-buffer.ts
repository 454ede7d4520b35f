import { requirePositiveInteger, ringBufferError } from '../errors/ring-buffer-error';
import { ViewCache } from '../view-cache';
import { HEADER_BYTES, LAYOUT_VERSION, MAGIC, POSITION_MASK, Slot, sharedRingBytes } from './layout';
import { blockUntil, copyInterleavedIn, publish, waitUntil, wake } from './wait';

/**
 * Ring memory claimed in place ({@link SharedRingBuffer.claimWrite},
 * {@link SharedRingBuffer.claimRead}): `frames` interleaved frames, the
 * first part in `first`, the rest (when the region wraps) in `second`.
 */
export interface RingRegion {
  frames: number;
  first: Float32Array;
  second: Float32Array | undefined;
}

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
  /** Position taken by the last beginWrite/beginRead (a field, so the hot path allocates nothing). */
  private claimed = 0;
  /**
   * The other side's position as last seen: READ for the producer, WRITE for
   * the consumer. Each only ever moves towards giving this side more room, so
   * a stale value is safe and is reloaded only when it is not enough: half
   * the atomic loads on the hot path. (Two fields: one handle may play both
   * roles, as in a single-threaded test.)
   */
  private readSeen = 0;
  private writeSeen = 0;
  /** The region handed out by claimWrite/claimRead, reused (valid until the matching commit). */
  private readonly region: RingRegion = { frames: 0, first: new Float32Array(0), second: undefined };
  /** Frames claimed in place and not yet committed (−1: none), and by which side. */
  private inPlaceFrames = -1;
  private inPlaceSide: 'write' | 'read' = 'write';

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
    const w = Atomics.load(this.header, Slot.WRITE) & POSITION_MASK;
    const r = Atomics.load(this.header, Slot.READ) & POSITION_MASK;
    return this.distance(r, w);
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
    const count = this.beginWrite(frames);
    if (count === 0) return 0;
    const w = this.claimed;
    const start = this.slotOf(w);
    const channels = this.channels;
    if (start + count <= this.capacity && count * channels === samples.length) {
      this.data.set(samples, start * channels);
    } else {
      copyInterleavedIn(this.data, samples, start, count, this.capacity, channels);
    }
    this.endWrite(count);
    return count;
  }

  /**
   * Consumer: reads up to `frames` interleaved frames into `out` (default:
   * as many as `out` holds). Returns the frames read.
   */
  pop(out: Float32Array, frames = out.length / this.channels): number {
    const count = this.beginRead(frames);
    if (count === 0) return 0;
    const start = this.slotOf(this.claimed);
    const channels = this.channels;
    const first = Math.min(count, this.capacity - start);
    out.set(this.views.get(start * channels, first * channels), 0);
    if (count > first) out.set(this.views.get(0, (count - first) * channels), first * channels);
    this.endRead(count);
    return count;
  }

  /** Producer: writes planar frames (one array per channel), interleaving on the way. Returns frames written. */
  pushPlanar(planes: readonly Float32Array[], frames = planes[0]?.length ?? 0): number {
    this.checkPlanes(planes);
    const count = this.beginWrite(frames);
    if (count === 0) return 0;
    const channels = this.channels;
    const data = this.data;
    let slot = this.slotOf(this.claimed);
    for (let i = 0; i < count; i++) {
      const base = slot * channels;
      for (let c = 0; c < channels; c++) data[base + c] = (planes[c] as Float32Array)[i] as number;
      if (++slot === this.capacity) slot = 0;
    }
    this.endWrite(count);
    return count;
  }

  /** Consumer: reads into planar arrays, de-interleaving on the way. Returns frames read. */
  popPlanar(planes: Float32Array[], frames = planes[0]?.length ?? 0, offset = 0): number {
    this.checkPlanes(planes);
    const count = this.beginRead(frames);
    if (count === 0) return 0;
    const channels = this.channels;
    const data = this.data;
    let slot = this.slotOf(this.claimed);
    for (let i = 0; i < count; i++) {
      const base = slot * channels;
      for (let c = 0; c < channels; c++) (planes[c] as Float32Array)[offset + i] = data[base + c] as number;
      if (++slot === this.capacity) slot = 0;
    }
    this.endRead(count);
    return count;
  }

  /**
   * Producer, zero-copy: claims up to `frames` free frames and returns the
   * ring's own memory for them, interleaved, in one view or two (`second`
   * when the region wraps round the end). Write the samples there, then
   * {@link commitWrite} how many frames were written. Nothing is visible to
   * the consumer before the commit. The region object is reused: it is valid
   * until the commit. No overrun is counted (asking is not writing).
   */
  claimWrite(frames: number): RingRegion {
    this.checkClaim(frames, 'write');
    const w = this.ownPosition(Slot.WRITE);
    const free = this.freeFor(w, frames);
    this.claimed = w;
    return this.claimRegion(w, Math.min(frames, free), 'write');
  }

  /** Producer: publishes `frames` (at most the frames claimed) written into the region from {@link claimWrite}. */
  commitWrite(frames: number): void {
    this.endWrite(this.checkCommit(frames, 'write'));
  }

  /**
   * Consumer, zero-copy: claims up to `frames` available frames and returns
   * the ring's memory holding them (as {@link claimWrite}, one view or two).
   * Read them in place, then {@link commitRead} how many were consumed; until
   * then the producer cannot overwrite them. No underrun is counted.
   */
  claimRead(frames: number): RingRegion {
    this.checkClaim(frames, 'read');
    const r = this.ownPosition(Slot.READ);
    const available = this.availableFor(r, frames);
    this.claimed = r;
    return this.claimRegion(r, Math.min(frames, available), 'read');
  }

  /** Consumer: releases `frames` (at most the frames claimed) read from the region from {@link claimRead}. */
  commitRead(frames: number): void {
    this.endRead(this.checkCommit(frames, 'read'));
  }

  private claimRegion(position: number, count: number, side: 'write' | 'read'): RingRegion {
    const start = this.slotOf(position);
    const first = Math.min(count, this.capacity - start);
    const channels = this.channels;
    const region = this.region;
    region.frames = count;
    region.first = this.views.get(start * channels, first * channels);
    region.second = count > first ? this.views.get(0, (count - first) * channels) : undefined;
    this.inPlaceFrames = count;
    this.inPlaceSide = side;
    return region;
  }

  private checkClaim(frames: number, side: 'write' | 'read'): void {
    if (!Number.isInteger(frames) || frames < 0 || frames > this.capacity)
      throw ringBufferError('E_INVALID_ARGUMENT', `SharedRingBuffer: cannot claim ${String(frames)} frames in a ring of ${this.capacity}`);
    if (this.inPlaceFrames >= 0)
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `SharedRingBuffer: claim${side === 'write' ? 'Write' : 'Read'} while ${this.inPlaceFrames} frames claimed for ${this.inPlaceSide === 'write' ? 'writing' : 'reading'} are not committed`,
      );
  }

  private checkCommit(frames: number, side: 'write' | 'read'): number {
    const name = side === 'write' ? 'Write' : 'Read';
    if (this.inPlaceFrames < 0 || this.inPlaceSide !== side)
      throw ringBufferError('E_INVALID_ARGUMENT', `SharedRingBuffer: commit${name} without a claim${name}`);
    if (!Number.isInteger(frames) || frames < 0 || frames > this.inPlaceFrames)
      throw ringBufferError(
        'E_INVALID_ARGUMENT',
        `SharedRingBuffer: cannot commit ${String(frames)} frames of the ${this.inPlaceFrames} claimed`,
      );
    this.inPlaceFrames = -1;
    return frames;
  }

  /** Producer: ends the stream; a consumer waiting for data wakes up and drains the rest. */
  close(): void {
    Atomics.store(this.header, Slot.CLOSED, 1);
    wake(this.header, Slot.WRITE);
  }

  /**
   * Consumer, blocking (worker threads only; not on a real-time thread):
   * sleeps until `frames` frames are available, the stream is closed, or
   * `timeoutMs` passes. Returns the frames available.
   */
  waitForAvailable(frames: number, timeoutMs = Number.POSITIVE_INFINITY): number {
    this.checkWaitFrames(frames);
    blockUntil(this.header, () => this.available >= frames || this.closed, Slot.WRITE, timeoutMs);
    return this.available;
  }

  /** Producer, blocking (worker threads only): sleeps until `frames` frames fit or `timeoutMs` passes. Returns the free frames. */
  waitForFree(frames: number, timeoutMs = Number.POSITIVE_INFINITY): number {
    this.checkWaitFrames(frames);
    blockUntil(this.header, () => this.free >= frames, Slot.READ, timeoutMs);
    return this.free;
  }

  /**
   * Non-blocking wait for an event-loop thread (the main thread, where
   * `Atomics.wait` is not allowed or not wanted): resolves when `frames` are
   * available or the stream is closed. Uses `Atomics.waitAsync`.
   */
  async availableAsync(frames: number, options: { timeoutMs?: number } = {}): Promise<number> {
    this.checkWaitFrames(frames);
    const deadline = performance.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
    return waitUntil(this.header, () => this.available >= frames || this.closed, Slot.WRITE, deadline).then(() => this.available);
  }

  /** Non-blocking wait for room, for a producer on an event-loop thread. */
  async freeAsync(frames: number, options: { timeoutMs?: number } = {}): Promise<number> {
    this.checkWaitFrames(frames);
    const deadline = performance.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
    return waitUntil(this.header, () => this.free >= frames, Slot.READ, deadline).then(() => this.free);
  }

  /** Producer: how many of `frames` fit now (counting an overrun when not all); the write position goes to `claimed`. */
  private beginWrite(frames: number): number {
    if (this.inPlaceFrames >= 0) this.checkClaim(0, 'write');
    const w = this.ownPosition(Slot.WRITE);
    const free = this.freeFor(w, frames);
    const count = Math.min(frames, free);
    if (count < frames) Atomics.add(this.header, Slot.OVERRUNS, 1);
    this.claimed = w;
    return count;
  }

  /** Producer: publishes `count` frames written at the claimed position and wakes a sleeping consumer. */
  private endWrite(count: number): void {
    publish(this.header, Slot.WRITE, this.advance(this.claimed, count));
  }

  /** Consumer: how many of `frames` can be read now (counting an underrun when not all); the read position goes to `claimed`. */
  private beginRead(frames: number): number {
    if (this.inPlaceFrames >= 0) this.checkClaim(0, 'read');
    const r = this.ownPosition(Slot.READ);
    const available = this.availableFor(r, frames);
    const count = Math.min(frames, available);
    if (count < frames) Atomics.add(this.header, Slot.UNDERRUNS, 1);
    this.claimed = r;
    return count;
  }

  /** Consumer: releases `count` frames read at the claimed position and wakes a sleeping producer. */
  private endRead(count: number): void {
    publish(this.header, Slot.READ, this.advance(this.claimed, count));
  }

  // Position arithmetic without `%`: positions stay in [0, 2·capacity), so one compare does (a modulo by a
  // runtime value costs tens of cycles, several times per block: a fifth of the time of a 128-frame push/pop).

  /**
   * This side's own position: a plain load, since only this side moves it
   * (the other side may set the WAITING bit, which the mask drops). An
   * atomic load costs a call in Node 20's V8, about as much as copying
   * 64 samples.
   */
  private ownPosition(slot: number): number {
    return (this.header[slot] as number) & POSITION_MASK;
  }

  /** Frames from position `from` to position `to`. */
  private distance(from: number, to: number): number {
    const d = to - from;
    return d < 0 ? d + this.span : d;
  }

  /** The frame slot a position names. */
  private slotOf(position: number): number {
    return position >= this.capacity ? position - this.capacity : position;
  }

  private advance(position: number, count: number): number {
    const next = position + count;
    return next >= this.span ? next - this.span : next;
  }

  /** Producer: free frames at write position `w`, reloading READ only when the cached one leaves fewer than `frames`. */
  private freeFor(w: number, frames: number): number {
    let free = this.capacity - this.distance(this.readSeen, w);
    if (free < frames) {
      this.readSeen = Atomics.load(this.header, Slot.READ) & POSITION_MASK;
      free = this.capacity - this.distance(this.readSeen, w);
    }
    return free;
  }

  /** Consumer: frames available at read position `r`, reloading WRITE only when the cached one shows fewer than `frames`. */
  private availableFor(r: number, frames: number): number {
    let available = this.distance(r, this.writeSeen);
    if (available < frames) {
      this.writeSeen = Atomics.load(this.header, Slot.WRITE) & POSITION_MASK;
      available = this.distance(r, this.writeSeen);
    }
    return available;
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
