import { expect } from 'vitest';

/**
 * Test helpers shared by every package. They recognise Sluice errors by the
 * global marker `SluiceError.isInstance` uses, so this package needs no
 * import of @sluice/core (which depends on it).
 */
const MARKER = Symbol.for('@sluice/core/SluiceError');

/** @param {unknown} error */
function isSluiceError(error) {
  return typeof error === 'object' && error !== null && /** @type {Record<symbol, unknown>} */ (error)[MARKER] === true;
}

/** @param {unknown} error @param {string} code */
function check(error, code) {
  expect(isSluiceError(error), `expected a SluiceError, got ${String(error)}`).toBe(true);
  expect(/** @type {{ code: string }} */ (error).code).toBe(code);
  return error;
}

/** Asserts that `promise` rejects with a SluiceError of `code`, and returns it. */
export async function expectCode(promise, code) {
  try {
    await promise;
  } catch (error) {
    return check(error, code);
  }
  throw new Error(`expected rejection with ${code}, but it resolved`);
}

/** Asserts that `fn` throws a SluiceError of `code`, and returns it. */
export function expectThrowCode(fn, code) {
  try {
    fn();
  } catch (error) {
    return check(error, code);
  }
  throw new Error(`expected a throw with ${code}`);
}

/** Deterministic PRNG (mulberry32) for randomised tests: same seed, same sequence. */
export function seededRandom(seed) {
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
export function randomInt(random, min, max) {
  return min + Math.floor(random() * (max - min + 1));
}
