import { describe, expect, it } from 'vitest';
import { AudioRingBuffer, type OverflowPolicy, POSITION_MASK, SharedRingBuffer, Slot, WAITING_BIT } from '../src/index';
import { expectThrowCode, randomInt, seededRandom } from '@sluice/config/test-helpers';

/** The reference: a plain array of frames with the same overflow rules. */
class ModelRing {
  frames: number[][] = [];
  dropped = 0;
  constructor(
    readonly capacity: number,
    readonly policy: OverflowPolicy,
  ) {}
  write(frames: number[][]): number | 'throw' {
    const free = this.capacity - this.frames.length;
    if (frames.length <= free) {
      this.frames.push(...frames);
      return frames.length;
    }
    if (this.policy === 'throw') return 'throw';
    if (this.policy === 'reject') {
      this.frames.push(...frames.slice(0, free));
      this.dropped += frames.length - free;
      return free;
    }
    const kept = frames.slice(-this.capacity);
    this.dropped += frames.length - kept.length;
    this.frames.push(...kept);
    const overflow = this.frames.length - this.capacity;
    if (overflow > 0) {
      this.frames.splice(0, overflow);
      this.dropped += overflow;
    }
    return kept.length;
  }
  read(count: number): number[][] {
    return this.frames.splice(0, count);
  }
}

function randomFrames(random: () => number, count: number, channels: number): number[][] {
  return Array.from({ length: count }, () => Array.from({ length: channels }, () => Math.fround(random())));
}
const toPlanes = (frames: number[][], channels: number) =>
  Array.from({ length: channels }, (_, c) => Float32Array.from(frames.map((f) => f[c] as number)));
/** Interleaved, as the shared ring stores them. (Typed arrays on both sides: toEqual compares them by their bytes.) */
const interleaved = (frames: number[][]) => Float32Array.from(frames.flat());

describe.each(['reject', 'overwrite', 'throw'] as const)('AudioRingBuffer against a model (%s)', (policy) => {
  it.each([1, 7, 64, 1000])('capacity %i: 2,000 random operations agree, wrapping at every offset', (capacity) => {
    const random = seededRandom(capacity * 13 + policy.length);
    const channels = 2;
    const ring = new AudioRingBuffer({ capacityFrames: capacity, channels, overflow: policy });
    const model = new ModelRing(capacity, policy);
    for (let step = 0; step < 2000; step++) {
      const op = random();
      if (op < 0.45) {
        const frames = randomFrames(random, randomInt(random, 0, capacity + (policy === 'throw' ? 0 : 3)), channels);
        const expected = model.write(frames);
        if (expected === 'throw') expectThrowCode(() => ring.write(toPlanes(frames, channels)), 'E_BUFFER_OVERFLOW');
        else expect(ring.write(toPlanes(frames, channels))).toBe(expected);
      } else if (op < 0.8) {
        const count = randomInt(random, 0, capacity);
        expect(ring.read(count)).toEqual(toPlanes(model.read(count), channels));
      } else if (op < 0.9) {
        const count = randomInt(random, 0, capacity);
        expect(ring.peek(count)).toEqual(toPlanes(model.frames.slice(0, count), channels));
      } else {
        const count = randomInt(random, 0, capacity);
        expect(ring.skip(count)).toBe(model.read(count).length);
      }
      expect(ring.available).toBe(model.frames.length);
      expect(ring.free).toBe(capacity - model.frames.length);
    }
    expect(ring.state.droppedFrames).toBe(model.dropped);
  });
});

describe('SharedRingBuffer against a model', () => {
  it.each([1, 5, 128, 1000])('capacity %i: interleaved and planar pushes and pops agree', (capacity) => {
    const random = seededRandom(capacity);
    const channels = 3;
    const ring = SharedRingBuffer.create({ capacityFrames: capacity, channels });
    const model = new ModelRing(capacity, 'reject');
    for (let step = 0; step < 2000; step++) {
      const count = randomInt(random, 0, capacity);
      if (random() < 0.5) {
        const frames = randomFrames(random, count, channels);
        const expected = model.write(frames);
        const written = random() < 0.5 ? ring.push(Float32Array.from(frames.flat())) : ring.pushPlanar(toPlanes(frames, channels));
        expect(written).toBe(expected);
      } else {
        const expected = model.read(count);
        if (random() < 0.5) {
          const out = new Float32Array(count * channels);
          const read = ring.pop(out);
          expect(read).toBe(expected.length);
          expect(out.subarray(0, read * channels)).toEqual(interleaved(expected));
        } else {
          const planes = Array.from({ length: channels }, () => new Float32Array(count));
          const read = ring.popPlanar(planes);
          expect(planes.map((p) => p.subarray(0, read))).toEqual(toPlanes(expected, channels));
        }
      }
      expect(ring.available).toBe(model.frames.length);
    }
  });
});

describe('SharedRingBuffer claim/commit (zero-copy) against a model', () => {
  it.each([1, 5, 128, 1000])('capacity %i: writing and reading the ring’s memory in place agrees with push and pop', (capacity) => {
    const random = seededRandom(capacity + 99);
    const channels = 2;
    const ring = SharedRingBuffer.create({ capacityFrames: capacity, channels });
    const model = new ModelRing(capacity, 'reject');
    for (let step = 0; step < 2000; step++) {
      const asked = randomInt(random, 0, capacity);
      if (random() < 0.5) {
        const region = ring.claimWrite(asked);
        expect(region.frames).toBe(Math.min(asked, capacity - model.frames.length));
        // Commit fewer than claimed, sometimes: only what was written becomes visible.
        const frames = randomFrames(random, random() < 0.2 ? randomInt(random, 0, region.frames) : region.frames, channels);
        const flat = frames.flat();
        region.first.set(flat.slice(0, region.first.length));
        if (flat.length > region.first.length) region.second?.set(flat.slice(region.first.length));
        ring.commitWrite(frames.length);
        model.write(frames);
      } else {
        const region = ring.claimRead(asked);
        const frames = Math.min(asked, model.frames.length);
        expect(region.frames).toBe(frames);
        const seen = Float32Array.from([...region.first, ...(region.second ?? [])].slice(0, frames * channels));
        const consumed = random() < 0.2 ? randomInt(random, 0, frames) : frames;
        expect(seen).toEqual(interleaved(model.frames.slice(0, frames)));
        ring.commitRead(consumed);
        model.read(consumed);
      }
      expect(ring.available).toBe(model.frames.length);
    }
    expect(ring.overruns).toBe(0);
    expect(ring.underruns).toBe(0);
  });

  it('refuses a second claim before the commit, a commit without a claim or of more than was claimed, and push or pop mid-claim', () => {
    const ring = SharedRingBuffer.create({ capacityFrames: 16, channels: 1 });
    expectThrowCode(() => ring.commitWrite(1), 'E_INVALID_ARGUMENT');
    const region = ring.claimWrite(8);
    expect(region.frames).toBe(8);
    expectThrowCode(() => ring.claimWrite(4), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => ring.push(new Float32Array(2)), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => ring.commitRead(1), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => ring.commitWrite(9), 'E_INVALID_ARGUMENT');
    ring.commitWrite(8);
    expectThrowCode(() => ring.claimRead(17), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => ring.claimRead(1.5), 'E_INVALID_ARGUMENT');
    expect(ring.claimRead(16).frames).toBe(8);
    ring.commitRead(8);
    expect(ring.available).toBe(0);
  });
});

describe('SharedRingBuffer waiting flags (layout 2)', () => {
  const word = (ring: SharedRingBuffer, slot: number) => new Int32Array(ring.buffer)[slot] as number;

  it('a consumer that waited leaves WAITING on WRITE; the next push clears it and keeps the position', () => {
    const ring = SharedRingBuffer.create({ capacityFrames: 8, channels: 1 });
    expect(ring.waitForAvailable(1, 1)).toBe(0);
    expect(word(ring, Slot.WRITE)).toBe(WAITING_BIT);
    // Every reader of the word masks the flag off.
    expect(ring.available).toBe(0);
    expect(ring.free).toBe(8);
    expect(ring.push(new Float32Array([1, 2, 3]))).toBe(3);
    expect(word(ring, Slot.WRITE)).toBe(3);
    expect(ring.available).toBe(3);
  });

  it('a producer that waited leaves WAITING on READ; the next pop clears it', () => {
    const ring = SharedRingBuffer.create({ capacityFrames: 4, channels: 1 });
    ring.push(new Float32Array([1, 2, 3, 4]));
    expect(ring.waitForFree(1, 1)).toBe(0);
    expect(word(ring, Slot.READ)).toBe(WAITING_BIT);
    const out = new Float32Array(2);
    expect(ring.pop(out)).toBe(2);
    expect(Array.from(out)).toEqual([1, 2]);
    expect(word(ring, Slot.READ)).toBe(2);
    expect(ring.free).toBe(2);
  });

  it("close clears the consumer's WAITING bit, so a consumer between announcing and sleeping wakes at once", () => {
    const ring = SharedRingBuffer.create({ capacityFrames: 8, channels: 1 });
    ring.push(new Float32Array([1, 2]));
    expect(ring.waitForAvailable(4, 1)).toBe(2);
    const flagged = word(ring, Slot.WRITE);
    expect(flagged & WAITING_BIT).toBe(WAITING_BIT);
    ring.close();
    expect(word(ring, Slot.WRITE)).toBe(flagged & POSITION_MASK);
    // The sleeper's Atomics.wait on the flagged value now returns at once.
    expect(Atomics.wait(new Int32Array(ring.buffer), Slot.WRITE, flagged, 1000)).toBe('not-equal');
    expect(ring.waitForAvailable(4)).toBe(2);
  });

  it('claimRead and claimWrite see their own positions through the flag', () => {
    const ring = SharedRingBuffer.create({ capacityFrames: 4, channels: 1 });
    ring.waitForAvailable(1, 1);
    ring.push(new Float32Array([5, 6]));
    ring.waitForAvailable(3, 1);
    const write = ring.claimWrite(2);
    write.first.set([7, 8]);
    ring.commitWrite(2);
    const read = ring.claimRead(4);
    expect(Array.from(read.first)).toEqual([5, 6, 7, 8]);
    ring.commitRead(4);
    expect(ring.available).toBe(0);
  });
});

describe('overlapped window reads', () => {
  it('reads windows of N frames while consuming hops of H', () => {
    const ring = new AudioRingBuffer({ capacityFrames: 16, channels: 1 });
    ring.write([Float32Array.from({ length: 10 }, (_, i) => i)]);
    const window = [new Float32Array(4)];
    const seen: number[][] = [];
    while (ring.readWindowInto(window, 3)) seen.push(Array.from(window[0] as Float32Array));
    expect(seen).toEqual([
      [0, 1, 2, 3],
      [3, 4, 5, 6],
      [6, 7, 8, 9],
    ]);
    expect(ring.available).toBe(1);
    expect(ring.readWindow(4, 2)).toBeNull();
  });
});

describe('waits and counters', () => {
  it('waitForAvailable resolves on write, times out, and aborts', async () => {
    const ring = new AudioRingBuffer({ capacityFrames: 8, channels: 1 });
    const waiting = ring.waitForAvailable(4);
    ring.write([new Float32Array(2)]);
    ring.write([new Float32Array(2)]);
    await waiting;
    await expect(ring.waitForAvailable(8, { timeoutMs: 10 })).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    await expect(ring.waitForFree(8, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'E_ABORTED' });
    const free = ring.waitForFree(8);
    ring.read(4);
    await free;
  });

  it('counts underruns and overruns', () => {
    const ring = new AudioRingBuffer({ capacityFrames: 4, channels: 1 });
    ring.write([new Float32Array(6)]);
    ring.read(8 - 4);
    ring.read(2);
    expect(ring.state).toMatchObject({ overruns: 1, underruns: 1, droppedFrames: 2, framesWritten: 4, framesRead: 4 });
    const shared = SharedRingBuffer.create({ capacityFrames: 4, channels: 1 });
    shared.push(new Float32Array(6));
    shared.pop(new Float32Array(8));
    expect([shared.overruns, shared.underruns]).toEqual([1, 1]);
  });
});

describe('bad input', () => {
  it.each([0, -1, 1.5, Number.NaN])('capacity %s is refused', (capacityFrames) => {
    expectThrowCode(() => new AudioRingBuffer({ capacityFrames, channels: 1 }), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => SharedRingBuffer.create({ capacityFrames, channels: 1 }), 'E_INVALID_ARGUMENT');
  });

  it('a write with the wrong channel count is E_FORMAT', () => {
    expectThrowCode(() => new AudioRingBuffer({ capacityFrames: 4, channels: 2 }).write([new Float32Array(1)]), 'E_FORMAT');
    expectThrowCode(() => SharedRingBuffer.create({ capacityFrames: 4, channels: 2 }).pushPlanar([new Float32Array(1)]), 'E_FORMAT');
  });

  it('reading more than the capacity is E_INVALID_ARGUMENT', () => {
    const ring = new AudioRingBuffer({ capacityFrames: 4, channels: 1 });
    const error = expectThrowCode(() => ring.read(5), 'E_INVALID_ARGUMENT');
    expect(error.message).toMatch(/more than the capacity/);
  });

  it('attaching to a SharedArrayBuffer of the wrong size or origin is refused', () => {
    const ring = SharedRingBuffer.create({ capacityFrames: 16, channels: 2 });
    expect(SharedRingBuffer.attach(ring.buffer).capacity).toBe(16);
    expectThrowCode(() => SharedRingBuffer.attach(new SharedArrayBuffer(200)), 'E_INVALID_ARGUMENT');
    const truncated = new SharedArrayBuffer(ring.buffer.byteLength - 4);
    new Uint8Array(truncated).set(new Uint8Array(ring.buffer).subarray(0, truncated.byteLength));
    expect(() => SharedRingBuffer.attach(truncated)).toThrow(/header describes/);
    expectThrowCode(() => SharedRingBuffer.attach(new ArrayBuffer(128) as unknown as SharedArrayBuffer), 'E_INVALID_ARGUMENT');
  });
});
