import { existsSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Where the repository's one tsc run (`pnpm typecheck`, the `//#typecheck`
 * task that every build depends on) writes the declarations of `file`, a path
 * relative to the package being built.
 * @param {string} file
 * @returns {string}
 */
function emittedDeclaration(file) {
  return join(root, '.declarations', relative(root, process.cwd()), file.replace(/\.[cm]?ts$/, '.d.ts'));
}

/**
 * Entries by output name, as tsup names them: an object as given, an array by
 * file name without extension.
 * @param {import('tsup').Options['entry']} entry
 * @returns {Record<string, string>}
 */
function namedEntries(entry) {
  if (Array.isArray(entry)) return Object.fromEntries(entry.map((file) => [basename(file, extname(file)), file]));
  return { ...entry };
}

/**
 * The declarations tsup bundles: the ones tsc already emitted for the whole
 * repository, when they are there. That tsc run type-checks every package
 * once; tsup compiling each package's declarations again from source re-checked
 * the package and everything it imports, 85% of the build's time (writers:
 * 8.4 of 10 s of CPU), for the same output (compared file by file). A package
 * built on its own, before any tsc run, falls back to that compilation.
 * @param {import('tsup').Options} options
 * @returns {import('tsup').Options['dts']}
 */
function declarations(options) {
  if (options.dts === false) return false;
  const given = typeof options.dts === 'object' ? options.dts : {};
  const sources = namedEntries(given.entry ?? options.entry);
  const emitted = Object.fromEntries(Object.entries(sources).map(([name, file]) => [name, emittedDeclaration(file)]));
  if (!Object.values(emitted).every((file) => existsSync(file))) {
    process.stderr.write(
      `tsup preset: no tsc declarations in .declarations/ for ${relative(root, process.cwd())}; compiling them from source (run the build from the root: pnpm build)\n`,
    );
    return options.dts;
  }
  return { ...given, entry: emitted };
}

/**
 * The build every Sluice library shares: ESM first, a CJS twin, declaration
 * files for both (`.d.ts` / `.d.cts`), Node 20 as the target.
 * @param {import('tsup').Options} [overrides]
 * @returns {import('tsup').Options}
 */
export function libraryBuild(overrides = {}) {
  const options = {
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
  return { ...options, dts: declarations(options) };
}
