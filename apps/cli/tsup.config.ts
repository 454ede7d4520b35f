import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The CLI ships as ESM only: it is run, not imported by CommonJS code. Code splitting keeps each command (and the
// packages it imports) in its own chunk, loaded when that command runs: start-up pays only for what it uses.
export default defineConfig(libraryBuild({ entry: ['src/bin.ts', 'src/main.ts'], format: ['esm'], splitting: true }));
