import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The inference worker is its own entry: index.js starts it from dist/ by file name.
export default defineConfig(
  libraryBuild({
    entry: { index: 'src/index.ts', 'inference-worker': 'src/onnx/inference-worker.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  }),
);
