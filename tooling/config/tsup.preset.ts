import type { Options } from 'tsup';

/**
 * The build every Sluice library shares: ESM first, a CJS twin, declaration
 * files for both (`.d.ts` / `.d.cts`), Node 20 as the target.
 */
export function libraryBuild(overrides: Options = {}): Options {
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
