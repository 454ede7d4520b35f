import { expect } from 'vitest';
import { SluiceError, type SluiceErrorCode } from '@sluice/core';

/** Asserts that `promise` rejects with a SluiceError of `code`, and returns it. */
export async function expectCode(promise: Promise<unknown>, code: SluiceErrorCode): Promise<SluiceError> {
  try {
    await promise;
  } catch (error) {
    expect(SluiceError.isInstance(error), `expected a SluiceError, got ${String(error)}`).toBe(true);
    expect((error as SluiceError).code).toBe(code);
    return error as SluiceError;
  }
  throw new Error(`expected rejection with ${code}, but it resolved`);
}

/** Asserts that `fn` throws a SluiceError of `code`. */
export function expectThrowCode(fn: () => unknown, code: SluiceErrorCode): SluiceError {
  try {
    fn();
  } catch (error) {
    expect(SluiceError.isInstance(error), `expected a SluiceError, got ${String(error)}`).toBe(true);
    expect((error as SluiceError).code).toBe(code);
    return error as SluiceError;
  }
  throw new Error(`expected a throw with ${code}`);
}

/** Deterministic PRNG (mulberry32) for randomized tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random integer in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
