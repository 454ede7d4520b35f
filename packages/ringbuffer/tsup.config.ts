import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// Core's error marker is bundled in, from core's source (core is only an optional peer here, for its types
// and adapters): the package keeps no runtime dependency, so it runs in an AudioWorklet.
export default defineConfig(
  libraryBuild({
    noExternal: ['@sluice/core/internal'],
    esbuildOptions(options) {
      options.conditions = ['@sluice/source'];
    },
  }),
);
