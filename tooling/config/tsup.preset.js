/**
 * The build every Sluice library shares: ESM first, a CJS twin, declaration
 * files for both (`.d.ts` / `.d.cts`), Node 20 as the target.
 * @param {import('tsup').Options} [overrides]
 * @returns {import('tsup').Options}
 */
export function libraryBuild(overrides = {}) {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    ...overrides,
  };
}
