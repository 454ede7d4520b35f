// Loaded before every test file (vitest.preset.js `setupFiles`).
import { expect } from 'vitest';

/**
 * A fast path for `toEqual` on typed arrays (audio planes, PCM bytes): two
 * arrays of the same type and length whose bytes are the same are equal, by
 * one memcmp. Anything else falls through (`undefined`) to vitest's own
 * element-by-element comparison, which keeps its meaning (NaN equals NaN) and
 * its diff on failure. Without it, comparing two 3 s stereo decodes sample by
 * sample took about 1.5 s of CPU, and the suite did it hundreds of times.
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean | undefined}
 */
function sameTypedArrayBytes(a, b) {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a instanceof DataView || b instanceof DataView) return undefined;
  if (a.constructor !== b.constructor || a.byteLength !== b.byteLength) return undefined;
  const left = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const right = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return left.equals(right) ? true : undefined;
}

expect.addEqualityTesters([sameTypedArrayBytes]);
