import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Starts a worker thread on a TypeScript file (tests and benchmarks run from
 * source): a small bootstrap registers tsx inside the worker, then imports
 * the file. Production code ships compiled `.js` workers and does not need this.
 * @param {URL | string} file
 * @param {import('node:worker_threads').WorkerOptions} [options]
 */
export function startTsWorker(file, options = {}) {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  // createRequire rather than import.meta.resolve: vitest inlines this file, where the latter is missing.
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const bootstrap = `
    const { register } = await import(${JSON.stringify(tsxApi)});
    register();
    await import(${JSON.stringify(new URL(`file://${path}`).href)});
  `;
  return new Worker(bootstrap, { ...options, eval: true, type: 'module' });
}
