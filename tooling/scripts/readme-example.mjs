// The README block the cherry-pick runs for a package, in one place: tooling/scripts/cherry-pick.mjs runs it from
// the packed package, and tooling/examples/test/readme-examples.test.ts leaves it to the cherry-pick under test:all.

/**
 * The first ```ts block of a README's text, or undefined.
 * @param {string} text
 * @returns {string | undefined}
 */
export function firstTsBlock(text) {
  return /```ts\n([\s\S]*?)```/.exec(text)?.[1];
}
