import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The workers are entries of their own: index.js starts them from dist/ by file name.
export default defineConfig(
  libraryBuild({
    entry: { index: 'src/index.ts', 'inference-worker': 'src/onnx/inference-worker.ts', 'dsp-worker': 'src/dsp/dsp-worker.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  }),
);
