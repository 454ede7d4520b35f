/** Waiting on a ring's position words (blocking for workers, async for event loops), publishing them, and the wrapping copy. */
import { POSITION_MASK, WAITING_BIT } from './layout';

/**
 * Sleeps on the other side's position word until `ready()`. Setting the
 * word's WAITING bit (only if the word still holds what was seen) announces
 * the sleeper, so the other side notifies only when someone waits; the
 * condition is checked again after announcing, and a word that moved in
 * between makes Atomics.wait return at once, so a change is never missed.
 * The bit stays set after waking: the other side's next exchange clears it.
 */
export function blockUntil(header: Int32Array, ready: () => boolean, slot: number, timeoutMs: number): void {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    const flagged = announce(header, slot);
    if (flagged !== undefined && !ready()) Atomics.wait(header, slot, flagged, Number.isFinite(left) ? left : undefined);
  }
}

/** The same wait for an event-loop thread, with `Atomics.waitAsync`. */
export async function waitUntil(header: Int32Array, ready: () => boolean, slot: number, deadline: number): Promise<void> {
  while (!ready()) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    const flagged = announce(header, slot);
    if (flagged !== undefined && !ready()) {
      const result = Atomics.waitAsync(header, slot, flagged, Number.isFinite(left) ? left : undefined);
      if (result.async) await result.value;
    }
  }
}

/** Sets the WAITING bit on `slot`; returns the word as flagged, or undefined when the word moved meanwhile (look again). */
function announce(header: Int32Array, slot: number): number | undefined {
  const observed = Atomics.load(header, slot);
  const flagged = observed | WAITING_BIT;
  if (observed === flagged) return flagged;
  return Atomics.compareExchange(header, slot, observed, flagged) === observed ? flagged : undefined;
}

/**
 * Publishes a new position in `slot` and wakes whoever announced a wait on
 * it: one atomic exchange, which also clears the WAITING bit.
 */
export function publish(header: Int32Array, slot: number, position: number): void {
  if ((Atomics.exchange(header, slot, position) & WAITING_BIT) !== 0) Atomics.notify(header, slot);
}

/**
 * Clears the WAITING bit of `slot` without moving its position, from any
 * thread, and wakes the sleeper: a sleeper that has announced itself but not
 * yet called Atomics.wait then finds the word changed and looks again.
 */
export function wake(header: Int32Array, slot: number): void {
  for (;;) {
    const word = Atomics.load(header, slot);
    if ((word & WAITING_BIT) === 0 || Atomics.compareExchange(header, slot, word, word & POSITION_MASK) === word) break;
  }
  Atomics.notify(header, slot);
}

/** Element copy for the wrapping (or partial) case, so no views of the caller's array are created. */
export function copyInterleavedIn(
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
