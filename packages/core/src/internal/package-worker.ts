import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker script that a Sluice package ships beside its entry:
 * `dist/<name>.js` (always ESM, so that CommonJS callers get the same worker); from source (`.ts`, inside the
 * repository, for tests and benchmarks) the worker registers tsx first and
 * resolves `@sluice/*` to their sources. `moduleUrl` is the caller's
 * `import.meta.url`; `sourcePath` the worker's path relative to it in `src/`.
 */
export function startPackageWorker(moduleUrl: string, name: string, sourcePath: string, options: WorkerOptions = {}): Worker {
  if (moduleUrl.endsWith('.ts')) {
    const tsxApi = pathToFileURL(
      createRequire(moduleUrl)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    const file = new URL(sourcePath, moduleUrl).href;
    const bootstrap = `const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(file)});`;
    return new Worker(bootstrap, { ...options, eval: true, execArgv: ['--conditions=@sluice/source'], type: 'module' } as WorkerOptions);
  }
  return new Worker(fileURLToPath(new URL(`./${name}.js`, moduleUrl)), options);
}
