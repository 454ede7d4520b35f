import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where pulled models live: `$SLUICE_MODELS_DIR`, else `$XDG_CACHE_HOME/sluice/models`, else `~/.cache/sluice/models`. */
export function modelsDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SLUICE_MODELS_DIR) return env.SLUICE_MODELS_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sluice', 'models');
}
