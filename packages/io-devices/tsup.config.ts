import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The device host is its own entry: index.js forks dist/device-host.js by file name. `testing` is the
// `@sluice/io-devices/testing` subpath.
export default defineConfig(
  libraryBuild({
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', 'device-host': 'src/host/device-host.ts' },
    dts: { entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' } },
  }),
);
