import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The CLI ships as ESM only: it is run, not imported by CommonJS code.
export default defineConfig(libraryBuild({ entry: ['src/bin.ts', 'src/main.ts'], format: ['esm'] }));
