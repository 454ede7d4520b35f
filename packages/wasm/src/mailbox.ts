/**
 * The shared-memory path for audio between the host and a sandbox worker: a
 * queue of `SLOTS` chunk slots in a SharedArrayBuffer, one producer (the
 * host) and one consumer (the worker). The host writes a chunk into the
 * next free slot and bumps POSTED; the worker, waiting on POSTED, processes
 * each posted slot in place, in order, and bumps ANSWERED. No message, no
 * structured clone, no transfer per chunk, and with more than one chunk in
 * flight the host prepares the next while the worker runs the last (a
 * postMessage round trip per chunk made a sandboxed gain 5–9× the cost of
 * the same gain in process). Analyser records and errors, rare and variable
 * in size, still come as messages, tagged with the chunk's sequence number.
 *
 * Control words (Int32): [0] POSTED, [1] ANSWERED (counts since the start), [2] SLEEPING;
 * then per slot s at 4 + 4·s: FRAMES, CHANNELS, STATUS (0 ok, 1 failed),
 * RECORD (bytes of the analyser record sent as a message, 0: none).
 * Samples (Float32): slot s at s·capacity, planar.
 */
export const SLOTS = 4;
export const POSTED = 0;
export const ANSWERED = 1;
/** 1 while the worker sleeps on POSTED: only then does posting pay for a wake-up (a futex system call). */
export const SLEEPING = 2;
const SLOT_WORDS = 4;
const FIRST_SLOT = 4;

/** How long the host watches for an answer before it waits through the event loop, whose wake-up costs more than a short chunk's work. */
const SPIN_MS = 0.02;

/** What the worker sends beside an answer: an analyser's record, or why the call failed. */
export interface MailboxExtra {
  seq: number;
  record?: Uint8Array;
  trap?: boolean;
  message?: string;
}

/** The host's side: the control words, the sample slots (grown on demand), the extras not yet claimed. */
export class Mailbox {
  readonly control = new Int32Array(new SharedArrayBuffer((FIRST_SLOT + SLOTS * SLOT_WORDS) * 4));
  /** Samples per slot. */
  capacity = 0;
  samples: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private posted = 0;
  private readonly extras = new Map<number, MailboxExtra>();
  private readonly waiting = new Map<number, (extra: MailboxExtra) => void>();

  /** Chunks posted and not answered yet. */
  get outstanding(): number {
    return this.posted - Atomics.load(this.control, ANSWERED);
  }

  /** Bigger slots, to be handed to the worker before use (only when nothing is outstanding); undefined when they suffice. */
  grow(samples: number): SharedArrayBuffer | undefined {
    if (samples <= this.capacity) return undefined;
    this.capacity = Math.max(samples, 2 * this.capacity);
    const buffer = new SharedArrayBuffer(this.capacity * SLOTS * 4);
    this.samples = new Float32Array(buffer);
    return buffer;
  }

  /** Writes a chunk into the next slot (which must be free) and posts it; returns its sequence number (1, 2, …). */
  post(data: Float32Array, frames: number, channels: number): number {
    const seq = ++this.posted;
    const slot = (seq - 1) % SLOTS;
    this.samples.set(data, slot * this.capacity);
    const base = FIRST_SLOT + slot * SLOT_WORDS;
    this.control[base] = frames;
    this.control[base + 1] = channels;
    Atomics.store(this.control, POSTED, seq);
    if (Atomics.load(this.control, SLEEPING) === 1) Atomics.notify(this.control, POSTED);
    return seq;
  }

  /** Waits until chunk `seq` is answered: 'ok', or 'timed-out' after `timeoutMs`. */
  async answered(seq: number, timeoutMs: number): Promise<'ok' | 'timed-out'> {
    const done = () => Atomics.load(this.control, ANSWERED) >= seq;
    const spinUntil = performance.now() + SPIN_MS;
    while (!done() && performance.now() < spinUntil);
    const deadline = performance.now() + timeoutMs;
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0) return 'timed-out';
      const seen = Atomics.load(this.control, ANSWERED);
      if (seen >= seq) break;
      const waiting = Atomics.waitAsync(this.control, ANSWERED, seen, left);
      if (waiting.async) await waiting.value;
    }
    return 'ok';
  }

  /** The answer to chunk `seq` (answered, and its slot not yet reused): failed or not, the record's size, the samples. */
  result(seq: number, length: number): { failed: boolean; recordBytes: number; data: Float32Array } {
    const slot = (seq - 1) % SLOTS;
    const base = FIRST_SLOT + slot * SLOT_WORDS;
    return {
      failed: this.control[base + 2] !== 0,
      recordBytes: this.control[base + 3] as number,
      data: this.samples.slice(slot * this.capacity, slot * this.capacity + length),
    };
  }

  /** An extra from the worker, whichever comes first: the message, or the host asking for it. */
  receive(extra: MailboxExtra): void {
    const waiter = this.waiting.get(extra.seq);
    if (waiter === undefined) {
      this.extras.set(extra.seq, extra);
      return;
    }
    this.waiting.delete(extra.seq);
    waiter(extra);
  }

  /** The extra for `seq` (the record or the failure), once its message has come. */
  extra(seq: number): Promise<MailboxExtra> {
    const arrived = this.extras.get(seq);
    if (arrived !== undefined) {
      this.extras.delete(seq);
      return Promise.resolve(arrived);
    }
    return new Promise((resolve) => this.waiting.set(seq, resolve));
  }
}
