/**
 * The key every SluiceError carries, through `Symbol.for` so that it is the
 * same symbol in every copy of `@sluice/core` in a process (and in packages
 * that make SluiceErrors without depending on core at run time, such as
 * `@sluice/ringbuffer`, which bundles this file).
 */
export const SLUICE_ERROR_MARKER: unique symbol = Symbol.for('@sluice/core/SluiceError') as never;

/** Marks `error` as a SluiceError: `SluiceError.isInstance()` is true for it from then on. */
export function markAsSluiceError<T extends Error>(error: T): T {
  Object.defineProperty(error, SLUICE_ERROR_MARKER, { value: true });
  return error;
}
