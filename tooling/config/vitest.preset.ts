import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/** The export condition that makes workspace packages resolve to their `src/`. */
export const SOURCE_CONDITION = '@sluice/source';

/**
 * One vitest project per package: tests run from source (no build needed),
 * in Node, with generous timeouts for tests that spawn real processes.
 */
export function sluiceProject(name: string, overrides: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, 'module', 'node', 'import', 'default'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
