import type { Worker, WorkerOptions } from 'node:worker_threads';
import { SluiceError } from '../errors/sluice-error';

/**
 * What `#source-worker` is outside the repository: the published build never
 * runs workers from TypeScript sources, so it carries no tsx bootstrap (the
 * repository's one is `source-worker.dev.ts`, chosen by the `@sluice/source`
 * condition).
 */
export function startSourceWorker(_moduleUrl: string, sourcePath: string, _options: WorkerOptions): Worker {
  throw new SluiceError(
    'E_INTERNAL',
    `cannot start the worker ${sourcePath} from TypeScript sources: run from the built package, or inside the Sluice repository with --conditions=@sluice/source`,
  );
}
