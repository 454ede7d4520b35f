import type { UserWorkspaceConfig } from 'vitest/config';
/** The export condition that makes workspace packages resolve to their `src/`. */
export declare const SOURCE_CONDITION: '@sluice/source';
/** One vitest project per package, running tests from source. */
export declare function sluiceProject(name: string, overrides?: UserWorkspaceConfig['test']): UserWorkspaceConfig;
