import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The server ships as ESM only: it is run, or imported by ESM code.
export default defineConfig(libraryBuild({ entry: ['src/main.ts', 'src/index.ts'], format: ['esm'] }));
