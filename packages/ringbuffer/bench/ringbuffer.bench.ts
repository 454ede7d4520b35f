/**
 * SharedRingBuffer against ringbuf.js and against plain Float32Array.set
 * copies of the same bytes, same run, same workload: stereo float32,
 * interleaved, blocks of 128 and 1024 frames, push then pop, millions of
 * frames; the same copies through claim/commit, and a producer and consumer
 * working in the ring's memory in place against the same work on a plain
 * shared array; and a minimal correct ring (the floor). Then the same two
 * rings across two threads.
 */
import { startTsWorker } from '@sluice/config/ts-worker';
import { compare, finish, report } from '@sluice/config/bench';
import { RingBuffer } from 'ringbuf.js';
import { SharedRingBuffer } from '../src/index';

const CHANNELS = 2;
const TOTAL_FRAMES = 16_000_000;
const CAPACITY_FRAMES = 8192;

function sluiceTask(blockFrames: number) {
  const ring = SharedRingBuffer.create({ capacityFrames: CAPACITY_FRAMES, channels: CHANNELS });
  const input = new Float32Array(blockFrames * CHANNELS).fill(0.5);
  const output = new Float32Array(blockFrames * CHANNELS);
  return () => {
    for (let done = 0; done < TOTAL_FRAMES; done += blockFrames) {
      ring.push(input);
      ring.pop(output);
    }
  };
}

/** The same two copies through claim/commit: the producer copies into the ring's memory, the consumer out of it. */
function sluiceClaimTask(blockFrames: number) {
  const ring = SharedRingBuffer.create({ capacityFrames: CAPACITY_FRAMES, channels: CHANNELS });
  const input = new Float32Array(blockFrames * CHANNELS).fill(0.5);
  const output = new Float32Array(blockFrames * CHANNELS);
  return () => {
    for (let done = 0; done < TOTAL_FRAMES; done += blockFrames) {
      const write = ring.claimWrite(blockFrames);
      write.first.set(input);
      ring.commitWrite(blockFrames);
      const read = ring.claimRead(blockFrames);
      output.set(read.first);
      ring.commitRead(blockFrames);
    }
  };
}

/** Zero-copy for real: the producer fills the ring's memory in place, the consumer sums it in place. */
function sluiceInPlaceTask(blockFrames: number) {
  const ring = SharedRingBuffer.create({ capacityFrames: CAPACITY_FRAMES, channels: CHANNELS });
  let sum = 0;
  return () => {
    for (let done = 0; done < TOTAL_FRAMES; done += blockFrames) {
      const write = ring.claimWrite(blockFrames);
      write.first.fill(0.5);
      ring.commitWrite(blockFrames);
      const read = ring.claimRead(blockFrames);
      const view = read.first;
      for (let i = 0; i < view.length; i++) sum += view[i] as number;
      ring.commitRead(blockFrames);
    }
    return sum;
  };
}

/** The ceiling for the in-place task: the same fill and sum over a plain shared array, no ring. */
function inPlaceCeilingTask(blockFrames: number) {
  const samples = blockFrames * CHANNELS;
  const storage = new Float32Array(new SharedArrayBuffer(CAPACITY_FRAMES * CHANNELS * 4));
  const slots = CAPACITY_FRAMES / blockFrames;
  const views = Array.from({ length: slots }, (_, i) => storage.subarray(i * samples, (i + 1) * samples));
  let sum = 0;
  return () => {
    let slot = 0;
    for (let done = 0; done < TOTAL_FRAMES; done += blockFrames) {
      const view = views[slot] as Float32Array;
      view.fill(0.5);
      for (let i = 0; i < view.length; i++) sum += view[i] as number;
      if (++slot === slots) slot = 0;
    }
    return sum;
  };
}

/**
 * The floor for any correct shared ring: a minimal one written for this
 * benchmark, with none of SharedRingBuffer's checks, counters, claims or
 * wrapping. Per push and per pop: one Atomics.load of the other side's
 * position, the one `set` copy, one Atomics.exchange to publish. It is how
 * close to the bare copies a ring can come on this Node, measured beside ours.
 */
function minimalRingTask(blockFrames: number) {
  const samples = blockFrames * CHANNELS;
  const span = 2 * CAPACITY_FRAMES;
  const memory = new SharedArrayBuffer(64 + CAPACITY_FRAMES * CHANNELS * 4);
  const header = new Int32Array(memory, 0, 16);
  const data = new Float32Array(memory, 64, CAPACITY_FRAMES * CHANNELS);
  const views = Array.from({ length: CAPACITY_FRAMES / blockFrames }, (_, i) => data.subarray(i * samples, (i + 1) * samples));
  const input = new Float32Array(samples).fill(0.5);
  const output = new Float32Array(samples);
  const slotOf = (position: number) => (position >= CAPACITY_FRAMES ? position - CAPACITY_FRAMES : position);
  const push = () => {
    const w = header[1] as number;
    const used = w - Atomics.load(header, 0);
    if (CAPACITY_FRAMES - (used < 0 ? used + span : used) < blockFrames) return;
    data.set(input, slotOf(w) * CHANNELS);
    Atomics.exchange(header, 1, w + blockFrames >= span ? w + blockFrames - span : w + blockFrames);
  };
  const pop = () => {
    const r = header[0] as number;
    const available = Atomics.load(header, 1) - r;
    if ((available < 0 ? available + span : available) < blockFrames) return;
    output.set(views[slotOf(r) / blockFrames] as Float32Array);
    Atomics.exchange(header, 0, r + blockFrames >= span ? r + blockFrames - span : r + blockFrames);
  };
  return () => {
    for (let done = 0; done < TOTAL_FRAMES; done += blockFrames) {
      push();
      pop();
    }
  };
}

function ringbufTask(blockFrames: number) {
  const ring = new RingBuffer(RingBuffer.getStorageForCapacity(CAPACITY_FRAMES * CHANNELS, Float32Array), Float32Array);
  const input = new Float32Array(blockFrames * CHANNELS).fill(0.5);
  const output = new Float32Array(blockFrames * CHANNELS);
  return () => {
    for (let done = 0; done < TOTAL_FRAMES; done += blockFrames) {
      ring.push(input);
      ring.pop(output);
    }
  };
}

/**
 * The ceiling: the same two copies per block with Float32Array.set, no ring
 * logic at all, into plain memory or (the true ceiling for any ring that
 * threads share) into a SharedArrayBuffer, which V8 copies more slowly.
 */
function memcpyTask(blockFrames: number, shared = false) {
  const samples = blockFrames * CHANNELS;
  const storage = shared
    ? new Float32Array(new SharedArrayBuffer(CAPACITY_FRAMES * CHANNELS * 4))
    : new Float32Array(CAPACITY_FRAMES * CHANNELS);
  const slots = CAPACITY_FRAMES / blockFrames;
  const views = Array.from({ length: slots }, (_, i) => storage.subarray(i * samples, (i + 1) * samples));
  const input = new Float32Array(samples).fill(0.5);
  const output = new Float32Array(samples);
  return () => {
    let slot = 0;
    for (let done = 0; done < TOTAL_FRAMES; done += blockFrames) {
      storage.set(input, slot * samples);
      output.set(views[slot] as Float32Array);
      if (++slot === slots) slot = 0;
    }
  };
}

const bytesMoved = TOTAL_FRAMES * CHANNELS * 4;
const gbps = (ms: number) => bytesMoved / 1e9 / (ms / 1000);
const figures: Record<string, number> = {};
for (const blockFrames of [128, 1024]) {
  const times = await compare(
    {
      sluice: sluiceTask(blockFrames),
      sluiceClaim: sluiceClaimTask(blockFrames),
      sluiceInPlace: sluiceInPlaceTask(blockFrames),
      inPlaceCeiling: inPlaceCeilingTask(blockFrames),
      ringbuf: ringbufTask(blockFrames),
      minimalRing: minimalRingTask(blockFrames),
      memcpy: memcpyTask(blockFrames),
      sharedMemcpy: memcpyTask(blockFrames, true),
    },
    { rounds: 5, warmup: 1 },
  );
  const block = {
    [`sluiceGBps${blockFrames}`]: gbps(times.sluice),
    [`ringbufJsGBps${blockFrames}`]: gbps(times.ringbuf),
    [`memcpyGBps${blockFrames}`]: gbps(times.memcpy),
    [`sharedMemcpyGBps${blockFrames}`]: gbps(times.sharedMemcpy),
    [`vsRingbufJs${blockFrames}`]: times.ringbuf / times.sluice,
    [`fractionOfMemcpy${blockFrames}`]: times.memcpy / times.sluice,
    [`fractionOfSharedMemcpy${blockFrames}`]: times.sharedMemcpy / times.sluice,
    [`minimalRingFractionOfSharedMemcpy${blockFrames}`]: times.sharedMemcpy / times.minimalRing,
    [`claimCommitFractionOfSharedMemcpy${blockFrames}`]: times.sharedMemcpy / times.sluiceClaim,
    [`inPlaceFractionOfCeiling${blockFrames}`]: times.inPlaceCeiling / times.sluiceInPlace,
  };
  report(`Single thread, push then pop, ${blockFrames}-frame stereo blocks (${TOTAL_FRAMES / 1e6}M frames)`, block);
  Object.assign(figures, block);
}

async function crossThread(kind: 'sluice' | 'ringbuf', blockFrames: number, totalFrames: number): Promise<number> {
  const buffer =
    kind === 'sluice'
      ? SharedRingBuffer.create({ capacityFrames: CAPACITY_FRAMES, channels: CHANNELS }).buffer
      : RingBuffer.getStorageForCapacity(CAPACITY_FRAMES * CHANNELS, Float32Array);
  const started = performance.now();
  const run = (role: string) =>
    new Promise<number>((resolve, reject) => {
      const worker = startTsWorker(new URL('./workers/cross-thread.ts', import.meta.url), {
        workerData: { role, kind, buffer, totalFrames, blockFrames },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  await Promise.all([run('producer'), run('consumer')]);
  return totalFrames / ((performance.now() - started) / 1000);
}

const crossFrames = 20_000_000;
const cross = {
  crossThreadSluiceFramesPerSecond: Math.max(
    await crossThread('sluice', 1024, crossFrames),
    await crossThread('sluice', 1024, crossFrames),
  ),
  crossThreadRingbufJsFramesPerSecond: Math.max(
    await crossThread('ringbuf', 1024, crossFrames),
    await crossThread('ringbuf', 1024, crossFrames),
  ),
};
report(`Two threads (worker → worker), 1024-frame blocks, ${crossFrames / 1e6}M frames, best of 2 (includes worker start-up)`, cross);

finish({
  ...figures,
  fractionOfMemcpy: Math.min(figures.fractionOfMemcpy128 as number, figures.fractionOfMemcpy1024 as number),
  fractionOfSharedMemcpy: Math.min(figures.fractionOfSharedMemcpy128 as number, figures.fractionOfSharedMemcpy1024 as number),
  ...cross,
});
