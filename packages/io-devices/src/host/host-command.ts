import { fileURLToPath } from 'node:url';

/** Where the device host script is: `dist/device-host.js`, beside the built entry. */
export function hostCommand(): { script: string; execArgv: string[] } {
  return { script: fileURLToPath(new URL('./device-host.js', import.meta.url)), execArgv: [] };
}
