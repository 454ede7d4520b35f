import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Version of a package as installed, or `unknown` when it cannot be resolved. */
export function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The CLI's own version. */
export const CLI_VERSION: string = (require('../package.json') as { version: string }).version;
