import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Development only (tests from source, chosen through the `@sluice/source`
 * condition of `#host-command`): the host runs from `src/host/device-host.ts`
 * through tsx, with workspace packages resolved to their sources.
 */
export function hostCommand(): { script: string; execArgv: string[] } {
  const here = import.meta.url;
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm')).href;
  return { script: fileURLToPath(new URL('./device-host.ts', here)), execArgv: ['--import', tsx, '--conditions=@sluice/source'] };
}
