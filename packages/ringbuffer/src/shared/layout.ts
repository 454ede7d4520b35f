/**
 * Memory layout of a {@link SharedRingBuffer}'s SharedArrayBuffer.
 *
 * ```
 * byte 0   Int32 header, 16 slots (64 bytes):
 *   [0]  MAGIC          0x534c5242 ("SLRB"): this is a Sluice ring buffer
 *   [1]  VERSION        layout version, 1
 *   [2]  CAPACITY       capacity in frames
 *   [3]  CHANNELS       channels per frame
 *   [4]  READ           read position, written only by the consumer, in [0, 2·capacity)
 *   [5]  WRITE          write position, written only by the producer, in [0, 2·capacity)
 *   [6]  CONSUMER_WAIT  1 while the consumer sleeps in Atomics.wait on WRITE
 *   [7]  PRODUCER_WAIT  1 while the producer sleeps in Atomics.wait on READ
 *   [8]  CLOSED         1 once the producer ended the stream
 *   [9]  OVERRUNS       writes that did not fit entirely (producer)
 *   [10] UNDERRUNS      reads that found fewer frames than asked (consumer)
 *   [11] SAMPLE_RATE    sample rate of the stream, 0 when not given
 *   [12..15]            reserved, 0
 * byte 64  Float32 data: capacity × channels samples, interleaved (L R L R …)
 * ```
 *
 * Positions run over [0, 2·capacity) rather than [0, capacity), so a full
 * buffer (WRITE − READ = capacity) and an empty one (WRITE = READ) differ and
 * every slot is usable. Each side stores only its own position (Atomics.store)
 * and loads the other's (Atomics.load): single producer, single consumer,
 * wait-free.
 */
export const Slot = {
  MAGIC: 0,
  VERSION: 1,
  CAPACITY: 2,
  CHANNELS: 3,
  READ: 4,
  WRITE: 5,
  CONSUMER_WAIT: 6,
  PRODUCER_WAIT: 7,
  CLOSED: 8,
  OVERRUNS: 9,
  UNDERRUNS: 10,
  SAMPLE_RATE: 11,
} as const;

/** "SLRB" */
export const MAGIC = 0x534c5242;
/** Current layout version. */
export const LAYOUT_VERSION = 1;
/** Header size in bytes. */
export const HEADER_BYTES = 64;

/** Bytes needed for a ring of `capacityFrames` × `channels`. */
export function sharedRingBytes(capacityFrames: number, channels: number): number {
  return HEADER_BYTES + capacityFrames * channels * 4;
}
