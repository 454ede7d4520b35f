import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { startSourceWorker } from '#source-worker';

/**
 * Starts a worker script that a Sluice package ships beside its entry:
 * `dist/<name>.js` (always ESM, so that CommonJS callers get the same
 * worker). `moduleUrl` is the caller's `import.meta.url`; `sourcePath` the
 * worker's path relative to it in `src/`, used only when the caller itself
 * runs from TypeScript sources inside the repository.
 */
export function startPackageWorker(moduleUrl: string, name: string, sourcePath: string, options: WorkerOptions = {}): Worker {
  if (moduleUrl.endsWith('.ts')) return startSourceWorker(moduleUrl, sourcePath, options);
  return new Worker(fileURLToPath(new URL(`./${name}.js`, moduleUrl)), options);
}
