import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/** The export condition that makes workspace packages resolve to their `src/`. */
export const SOURCE_CONDITION = '@sluice/source';

const conditions = [SOURCE_CONDITION, 'module', 'node', 'import', 'default'];

/**
 * One vitest project per package: tests run from source (no build needed),
 * in Node, with generous timeouts for tests that spawn real processes.
 * @param {string} name
 * @param {import('vitest/config').UserWorkspaceConfig['test']} [overrides]
 */
export function sluiceProject(name, overrides = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: [SOURCE_CONDITION] } },
    test: {
      name,
      environment: 'node',
      // Workspace packages are linked into node_modules, which vitest would externalize
      // (Node would then load their built dist/). Inline them so the source condition applies.
      server: { deps: { inline: [/^@sluice\//, /\/packages\/[^/]+\/src\//] } },
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      // A fast path for toEqual on typed arrays (the tests compare whole decodes).
      setupFiles: [fileURLToPath(new URL('./vitest.setup.js', import.meta.url))],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
