#!/usr/bin/env node
// What a user does: every publishable package is packed, then installed with
// plain npm into a fresh scratch project outside the workspace — alone, plus
// the Sluice packages it depends on (also from packed tarballs) and whatever
// else its README example imports from npm. Then: import it with ESM and CJS,
// type-check a tiny file against it with tsc (node16 resolution), and run the
// first ```ts block of its README. Nothing from the workspace is on the path.
// Packages are checked three at a time (their installs mostly wait on the registry).
// Usage: node tooling/scripts/cherry-pick.mjs [package-name-filter]   (run after `pnpm build`)
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { firstTsBlock } from './readme-example.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const tsc = require.resolve('typescript/bin/tsc');
const tsx = pathToFileURL(require.resolve('tsx/esm')).href;
const filter = process.argv[2] ?? '';
const work = mkdtempSync(join(tmpdir(), 'sluice-cherry-pick-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, ...options });
  const how =
    result.status === null ? `\n(killed by ${result.signal ?? 'timeout'})` : result.status !== 0 ? `\n(exit ${result.status})` : '';
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() + how };
}

/** {@link run} without blocking: the packages' installs (mostly waiting on the registry) go side by side. */
function runAsync(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
    });
    child.stderr.on('data', (data) => {
      output += data;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 300_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const how = code === null ? `\n(killed by ${signal ?? 'timeout'})` : code !== 0 ? `\n(exit ${code})` : '';
      resolve({ ok: code === 0, output: output.trim() + how });
    });
  });
}

// Pack every publishable package (pnpm turns workspace: ranges into versions).
const packages = new Map();
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    if (manifest.private) continue;
    const packed = run(process.execPath, [join(root, 'node_modules/pnpm/bin/pnpm.cjs'), 'pack', '--pack-destination', tarballs], {
      cwd: dir,
    });
    if (!packed.ok) throw new Error(`pnpm pack failed in ${dir}:\n${packed.output}`);
    const tarball = readdirSync(tarballs).find(
      (file) => file.startsWith(manifest.name.replace('@', '').replace('/', '-')) && file.endsWith('.tgz'),
    );
    packages.set(manifest.name, { dir, manifest, tarball: join(tarballs, tarball) });
  }
}

function sluiceClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const { manifest } = packages.get(name);
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
    if (packages.has(dep)) sluiceClosure(dep, seen);
  return seen;
}

function readmeExample(dir) {
  return firstTsBlock(readFileSync(join(dir, 'README.md'), 'utf8'));
}

const failures = [];
const results = [];

/** The tests' Polly-compatible server (TypeScript, loaded through tsx), started once when an example needs it. */
let polly;
function pollyServer() {
  polly ??= (async () => {
    const { tsImport } = await import('tsx/esm/api');
    const { PollyServer } = await tsImport(pathToFileURL(join(root, 'tooling/test-servers/src/polly-server.ts')).href, import.meta.url);
    const server = new PollyServer({ msPerChar: 1 });
    await server.start();
    return server;
  })();
  return polly;
}
async function check(name, { dir, manifest }) {
  const started = Date.now();
  const scratch = join(work, name.replace('/', '__'));
  mkdirSync(scratch);
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  const example = readmeExample(dir);
  const wanted = sluiceClosure(name);
  const external = new Set();
  for (const match of (example ?? '').matchAll(/from '((?:@[\w-]+\/)?[\w.-]+)(?:\/[\w./-]+)?'/g)) {
    const spec = match[1];
    if (spec.startsWith('node:')) continue;
    if (packages.has(spec)) for (const dep of sluiceClosure(spec)) wanted.add(dep);
    else external.add(spec);
  }
  const install = await runAsync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...[...wanted].map((dep) => packages.get(dep).tarball), ...external],
    { cwd: scratch },
  );
  const step = (what, result) => {
    if (!result.ok) failures.push(`${name}: ${what} failed\n${result.output.split('\n').slice(-15).join('\n')}`);
    return result.ok;
  };
  if (!step('npm install', install)) return;
  step(
    'ESM import',
    await runAsync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(name)}); if (Object.keys(m).length === 0) throw new Error('no exports');`,
      ],
      { cwd: scratch },
    ),
  );
  const exportsRoot = manifest.exports?.['.'] ?? {};
  if (exportsRoot.require)
    step(
      'CJS require',
      await runAsync(
        process.execPath,
        ['-e', `const m = require(${JSON.stringify(name)}); if (Object.keys(m).length === 0) throw new Error('no exports');`],
        { cwd: scratch },
      ),
    );
  writeFileSync(
    join(scratch, 'check.ts'),
    `import * as sluice from '${name}';\nconst names: string[] = Object.keys(sluice);\nexport default names;\n`,
  );
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files: ['check.ts'],
    }),
  );
  step('types (tsc --noEmit)', await runAsync(process.execPath, [tsc, '-p', scratch], { cwd: scratch }));
  // Commands the package installs must run from the scratch project's node_modules/.bin.
  for (const bin of Object.keys(
    typeof manifest.bin === 'string' ? { [manifest.name.split('/').pop()]: manifest.bin } : (manifest.bin ?? {}),
  )) {
    const args = bin === 'sluice' ? ['demo', '--seconds', '0.5'] : ['--help'];
    if (bin === 'sluice-server') continue; // a server runs until stopped; its README example starts and stops one
    step(`${bin} ${args.join(' ')}`, await runAsync(join(scratch, 'node_modules', '.bin', bin), args, { cwd: scratch, timeout: 60_000 }));
  }
  if (example !== undefined) {
    writeFileSync(join(scratch, 'example.mts'), example);
    // Device examples run on ALSA file devices (no sound card here), configured the way the package's own tests do it.
    const env = { ...process.env };
    if (
      wanted.has('@sluice/io-devices') &&
      step(
        'ALSA file devices',
        await runAsync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            "const { writeAlsaFileConfig } = await import('@sluice/io-devices/testing'); writeAlsaFileConfig(process.cwd() + '/alsa');",
          ],
          { cwd: scratch },
        ),
      )
    ) {
      env.HOME = join(scratch, 'alsa');
    }
    // Polly examples talk to the local Polly-compatible server the tests use (the SDK reads these variables).
    if (example.includes("'@sluice/tts-polly'")) {
      Object.assign(env, (await pollyServer()).clientEnvironment());
    }
    step('README example', await runAsync(process.execPath, ['--import', tsx, 'example.mts'], { cwd: scratch, timeout: 120_000, env }));
  }
  results.push(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Three packages at a time: each is mostly npm waiting on the registry, then a few short node processes.
const queue = [...packages].filter(([name]) => name.includes(filter));
await Promise.all(
  Array.from({ length: Math.min(3, Math.max(2, availableParallelism())) }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await check(...next);
  }),
);
results.sort();
if (polly !== undefined) await (await polly).stop();

process.stdout.write(`cherry-pick: ${results.join('; ')}\n`);
if (process.env.SLUICE_KEEP_SCRATCH !== '1') rmSync(work, { recursive: true, force: true });
else process.stdout.write(`cherry-pick: scratch projects kept in ${work}\n`);
if (failures.length > 0) {
  process.stderr.write(`\n${failures.join('\n\n')}\n`);
  process.exit(1);
}
