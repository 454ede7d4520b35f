import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// The job thread is an entry of its own: a worker starts it from dist/ by file name.
export default defineConfig(
  libraryBuild({
    entry: { index: 'src/index.ts', 'job-thread': 'src/run/job-thread.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  }),
);
