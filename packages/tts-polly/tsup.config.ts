import { defineConfig } from 'tsup';
import { libraryBuild } from '@sluice/config/tsup';

export default defineConfig(libraryBuild());
