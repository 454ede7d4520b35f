#!/usr/bin/env node
// What a user does: every publishable package is packed, then installed with
// plain npm into a fresh scratch project outside the workspace — alone, plus
// the Sluice packages it depends on (also from packed tarballs) and whatever
// else its README example imports from npm. Then: import it with ESM and CJS,
// type-check a tiny file against it with tsc (node16 resolution), and run the
// first ```ts block of its README. Nothing from the workspace is on the path.
// Usage: node tooling/scripts/cherry-pick.mjs [package-name-filter]   (run after `pnpm build`)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  return /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
}

const failures = [];
const results = [];
for (const [name, { dir, manifest }] of packages) {
  if (!name.includes(filter)) continue;
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
  const install = run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...[...wanted].map((dep) => packages.get(dep).tarball), ...external],
    { cwd: scratch },
  );
  const step = (what, result) => {
    if (!result.ok) failures.push(`${name}: ${what} failed\n${result.output.split('\n').slice(-15).join('\n')}`);
    return result.ok;
  };
  if (!step('npm install', install)) continue;
  step(
    'ESM import',
    run(
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
      run(
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
  step('types (tsc --noEmit)', run(process.execPath, [tsc, '-p', scratch], { cwd: scratch }));
  // Commands the package installs must run from the scratch project's node_modules/.bin.
  for (const bin of Object.keys(
    typeof manifest.bin === 'string' ? { [manifest.name.split('/').pop()]: manifest.bin } : (manifest.bin ?? {}),
  )) {
    const args = bin === 'sluice' ? ['demo', '--seconds', '0.5'] : ['--help'];
    if (bin === 'sluice-server') continue; // a server runs until stopped; its README example starts and stops one
    step(`${bin} ${args.join(' ')}`, run(join(scratch, 'node_modules', '.bin', bin), args, { cwd: scratch, timeout: 60_000 }));
  }
  if (example !== undefined) {
    writeFileSync(join(scratch, 'example.mts'), example);
    // Device examples run on ALSA file devices (no sound card here), configured the way the package's own tests do it.
    const env = { ...process.env };
    if (
      wanted.has('@sluice/io-devices') &&
      step(
        'ALSA file devices',
        run(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            "const { writeAlsaFileConfig } = await import('@sluice/io-devices'); writeAlsaFileConfig(process.cwd() + '/alsa');",
          ],
          { cwd: scratch },
        ),
      )
    ) {
      env.HOME = join(scratch, 'alsa');
    }
    step('README example', run(process.execPath, ['--import', tsx, 'example.mts'], { cwd: scratch, timeout: 120_000, env }));
  }
  results.push(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

process.stdout.write(`cherry-pick: ${results.join('; ')}\n`);
if (process.env.SLUICE_KEEP_SCRATCH !== '1') rmSync(work, { recursive: true, force: true });
else process.stdout.write(`cherry-pick: scratch projects kept in ${work}\n`);
if (failures.length > 0) {
  process.stderr.write(`\n${failures.join('\n\n')}\n`);
  process.exit(1);
}
