/** Waiting on a ring's position slots (blocking for workers, async for event loops), and the wrapping copy. */

/**
 * Sleeps on the other side's position slot until `ready()`. The flag
 * announces the sleeper so the other side notifies only when someone
 * waits; the condition is checked again after announcing, so a change in
 * between is never missed.
 */
export function blockUntil(header: Int32Array, ready: () => boolean, slot: number, flag: number, timeoutMs: number): void {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    const observed = Atomics.load(header, slot);
    Atomics.store(header, flag, 1);
    if (!ready()) Atomics.wait(header, slot, observed, Number.isFinite(left) ? left : undefined);
    Atomics.store(header, flag, 0);
  }
}

/** The same wait for an event-loop thread, with `Atomics.waitAsync`. */
export async function waitUntil(header: Int32Array, ready: () => boolean, slot: number, flag: number, deadline: number): Promise<void> {
  while (!ready()) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    const observed = Atomics.load(header, slot);
    Atomics.store(header, flag, 1);
    if (!ready()) {
      const result = Atomics.waitAsync(header, slot, observed, Number.isFinite(left) ? left : undefined);
      if (result.async) await result.value;
    }
    Atomics.store(header, flag, 0);
  }
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
