/**
 * Memory layout of a {@link SharedRingBuffer}'s SharedArrayBuffer.
 *
 * ```
 * byte 0   Int32 header, 16 slots (64 bytes):
 *   [0]  MAGIC          0x534c5242 ("SLRB"): this is a Sluice ring buffer
 *   [1]  VERSION        layout version, 2
 *   [2]  CAPACITY       capacity in frames
 *   [3]  CHANNELS       channels per frame
 *   [4]  READ           read position (bits 0–29), moved only by the consumer, in [0, 2·capacity);
 *                       bit 30 (WAITING): the producer sleeps, or is about to, in Atomics.wait on this slot
 *   [5]  WRITE          write position (bits 0–29), moved only by the producer, in [0, 2·capacity);
 *                       bit 30 (WAITING): the consumer sleeps, or is about to, on this slot
 *   [6..7]              reserved, 0 (layout 1 kept the waiting flags here)
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
 * every slot is usable. Each side moves only its own position and loads the
 * other's (Atomics.load): single producer, single consumer, wait-free.
 *
 * A side that wants to sleep sets WAITING on the other side's position word
 * (Atomics.compareExchange against the value it saw) and waits on that word.
 * The other side publishes each new position with one Atomics.exchange,
 * which clears the bit and tells it, in the same step, whether anyone needs
 * an Atomics.notify: one atomic per push or pop instead of a store and a
 * separate load of a flag (layout 1). A position word that changes under a
 * sleeper (a new position, or `close` clearing the bit) ends its wait.
 */
export const Slot = {
  MAGIC: 0,
  VERSION: 1,
  CAPACITY: 2,
  CHANNELS: 3,
  READ: 4,
  WRITE: 5,
  CLOSED: 8,
  OVERRUNS: 9,
  UNDERRUNS: 10,
  SAMPLE_RATE: 11,
} as const;

/** "SLRB" */
export const MAGIC = 0x534c5242;
/** Current layout version (2: the waiting flags live in the position words). */
export const LAYOUT_VERSION = 2;
/** The bit of a READ or WRITE word that says the other side waits on it. */
export const WAITING_BIT = 1 << 30;
/** The bits of a READ or WRITE word that hold the position. */
export const POSITION_MASK = WAITING_BIT - 1;
/** Header size in bytes. */
export const HEADER_BYTES = 64;

/** Bytes needed for a ring of `capacityFrames` × `channels`. */
export function sharedRingBytes(capacityFrames: number, channels: number): number {
  return HEADER_BYTES + capacityFrames * channels * 4;
}
