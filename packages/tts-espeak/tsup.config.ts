import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The eSpeak worker is its own entry: index.js starts dist/espeak-worker.js by file name.
export default defineConfig(
  libraryBuild({
    entry: { index: 'src/index.ts', 'espeak-worker': 'src/espeak-worker.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  }),
);
