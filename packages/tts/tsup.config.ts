import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

// Two entries: the engine-neutral core and `@sluice/tts/polly`, which alone loads the AWS SDK.
export default defineConfig(libraryBuild({ entry: { index: 'src/index.ts', polly: 'src/polly/index.ts' } }));
