/**
 * @packageDocumentation
 * `@sluice/ringbuffer`: audio ring buffers. `AudioRingBuffer` for one thread
 * (planar, overflow policies, async waits, overlapped window reads) and
 * `SharedRingBuffer`, a wait-free single-producer single-consumer ring on a
 * SharedArrayBuffer for worker threads and real-time code. No runtime dependencies.
 */
export { AudioRingBuffer, type AudioRingBufferOptions, type OverflowPolicy, type RingBufferState } from './audio/audio-ring-buffer';
export type { WaitOptions } from './audio/waiters';
export { type RingRegion, SharedRingBuffer, type SharedRingBufferOptions } from './shared/shared-ring-buffer';
export { HEADER_BYTES, LAYOUT_VERSION, MAGIC, POSITION_MASK, Slot, sharedRingBytes, WAITING_BIT } from './shared/layout';
export { ringBufferSink, ringBufferSource } from './adapters/audio-ring-adapters';
export { sharedRingBufferSink, sharedRingBufferSource } from './adapters/shared-ring-adapters';
