// One side of the cross-thread benchmark: produce or consume `totalFrames` stereo frames
// through either ring implementation, then report the time taken.
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { SharedRingBuffer } from '../../src/index';

const { role, kind, buffer, totalFrames, blockFrames } = workerData as {
  role: 'producer' | 'consumer';
  kind: 'sluice' | 'ringbuf';
  buffer: SharedArrayBuffer;
  totalFrames: number;
  blockFrames: number;
};
const channels = 2;
const block = new Float32Array(blockFrames * channels).fill(0.25);
const started = performance.now();
let done = 0;
if (kind === 'sluice') {
  const ring = SharedRingBuffer.attach(buffer);
  while (done < totalFrames) {
    const want = Math.min(blockFrames, totalFrames - done);
    if (role === 'producer') {
      ring.waitForFree(want);
      done += ring.push(block, want);
    } else {
      ring.waitForAvailable(want);
      done += ring.pop(block, want);
    }
  }
} else {
  // ringbuf.js has no blocking wait: both sides poll, as its examples do.
  const ring = new RingBuffer(buffer, Float32Array);
  while (done < totalFrames) {
    const want = Math.min(blockFrames, totalFrames - done) * channels;
    const moved = role === 'producer' ? ring.push(block, want) : ring.pop(block, want);
    done += moved / channels;
  }
}
parentPort?.postMessage(performance.now() - started);
