import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// Two entries, `@sluice/writers` and the `@sluice/writers/audiox` compatibility subpath. Splitting puts the
// code they share in one chunk, so both see the same classes.
export default defineConfig(libraryBuild({ entry: { index: 'src/index.ts', audiox: 'src/compat/audiox.ts' }, splitting: true }));
