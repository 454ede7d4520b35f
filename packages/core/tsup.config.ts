import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// Two entries, `@sluice/core` and `@sluice/core/internal`; splitting puts what they share in one chunk, so
// both see the same SluiceError and the same helpers.
export default defineConfig(libraryBuild({ entry: { index: 'src/index.ts', internal: 'src/internal/index.ts' }, splitting: true }));
