import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Development only (tests and benchmarks from source, chosen through the
 * `@sluice/source` condition of `#source-worker`): the worker registers tsx
 * first, then imports its `.ts` file, with workspace packages resolved to
 * their sources.
 */
export function startSourceWorker(moduleUrl: string, sourcePath: string, options: WorkerOptions): Worker {
  const tsxApi = pathToFileURL(
    createRequire(moduleUrl)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const file = new URL(sourcePath, moduleUrl).href;
  const bootstrap = `const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { ...options, eval: true, execArgv: ['--conditions=@sluice/source'], type: 'module' } as WorkerOptions);
}
