import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The device host is its own entry: index.js forks dist/device-host.js by file name.
export default defineConfig(
  libraryBuild({
    entry: { index: 'src/index.ts', 'device-host': 'src/host/device-host.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  }),
);
