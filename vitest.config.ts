import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/examples'],
    reporters: ['default'],
    pool: 'forks',
    // One file per core (vitest's default leaves one core idle: on 2 cores the suite ran file by file).
    maxWorkers: availableParallelism(),
    minWorkers: 1,
  },
});
