#!/usr/bin/env node
// The whole test suite, as `.ci/run` and the README run it:
//   1. format + lint (biome) and a changeset for every changed package (seconds, so they fail first),
//   2. side by side: the system packages the tests use (Debian, only when root and missing; mostly waiting on apt),
//      knip (unused files, exports and dependencies) and the build, which starts with the one tsc over everything
//      (typecheck, writing the declarations the packages' builds bundle),
//   3. vitest over every package and app (one test file per core at a time), beside the published-shape checks
//      (publint, attw) and the cherry-pick install test, which mostly wait on npm and the disk,
// then a summary that says plainly what was skipped and why.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const started = Date.now();
const steps = [];

function step(name, command, args, options = {}) {
  const begin = Date.now();
  process.stdout.write(`\n▶ ${name}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' }, ...options });
  const seconds = ((Date.now() - begin) / 1000).toFixed(1);
  const ok = result.status === 0;
  steps.push({ name, ok, seconds });
  if (!ok) {
    process.stdout.write(`\n✖ ${name} failed (exit ${result.status ?? result.signal}) after ${seconds} s\n`);
    summary();
    process.exit(result.status || 1);
  }
}

/**
 * Steps run side by side; each one's output is held and printed whole when it ends, so the logs do not
 * interleave. Fails like `step` when any fails (after all have ended).
 */
async function sideBySide(list) {
  const begin = Date.now();
  process.stdout.write(`\n▶ ${list.map((s) => s.name).join(' ‖ ')}\n`);
  const results = await Promise.all(
    list.map(
      ({ name, command, args, env }) =>
        new Promise((resolve) => {
          const child = spawn(command, args, { cwd: root, env: { ...process.env, FORCE_COLOR: '0', ...env } });
          const output = [];
          child.stdout.on('data', (data) => output.push(data));
          child.stderr.on('data', (data) => output.push(data));
          child.on('close', (status, signal) => {
            const seconds = ((Date.now() - begin) / 1000).toFixed(1);
            process.stdout.write(`\n▶ ${name} (${seconds} s)\n${Buffer.concat(output).toString()}`);
            resolve({ name, ok: status === 0, seconds, status: status ?? signal });
          });
        }),
    ),
  );
  for (const { name, ok, seconds } of results) steps.push({ name, ok, seconds });
  const failed = results.find((result) => !result.ok);
  if (failed) {
    process.stdout.write(`\n✖ ${failed.name} failed (exit ${failed.status})\n`);
    summary();
    process.exit(typeof failed.status === 'number' && failed.status !== 0 ? failed.status : 1);
  }
}

function summary() {
  process.stdout.write('\nSummary:\n');
  for (const s of steps) process.stdout.write(`  ${s.ok ? '✔' : '✖'} ${s.name} (${s.seconds} s)\n`);
  process.stdout.write(`  total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

step('format and lint (biome)', 'biome', ['ci', '--colors=off', '.']);
step('changesets', process.execPath, ['tooling/scripts/check-changesets.mjs']);
// The build's first task is `//#typecheck` (turbo.json): one tsc over every package, app and test at once
// (tsconfig.check.json), which checks each shared source file once and writes every declaration; each package's
// tsup build then bundles those instead of compiling its declarations again (73 s of build on 2 cores became
// 30 s). Nothing in it needs the system packages, so apt runs beside it.
await sideBySide([
  { name: 'system packages', command: process.execPath, args: ['tooling/scripts/setup-system.mjs'] },
  { name: 'unused code and dependencies (knip)', command: 'knip', args: ['--no-progress'] },
  { name: 'typecheck and build', command: 'turbo', args: ['run', 'build', '--output-logs=errors-only'] },
]);
const shape = {
  name: 'package shape (publint, attw)',
  command: 'turbo',
  args: ['run', 'check:package', '--only', '--output-logs=errors-only', '--concurrency=2'],
};
const cherryPick = {
  name: 'cherry-pick (each package packed, installed alone with npm, imported, type-checked, README example run)',
  command: process.execPath,
  args: ['tooling/scripts/cherry-pick.mjs'],
};
// vitest keeps both cores busy; the shape checks and the cherry-pick mostly wait on npm and the disk, so all three
// run at once (on 2 cores: 384 s for the whole suite with the cherry-pick before vitest, 354 s beside it).
const vitest = { name: 'tests (vitest)', command: 'vitest', args: ['run'] };
if (process.env.SLUICE_SKIP_CHERRY_PICK === '1') {
  process.stdout.write('\n▶ cherry-pick: skipped (SLUICE_SKIP_CHERRY_PICK=1)\n');
  await sideBySide([vitest, shape]);
} else {
  // The cherry-pick runs each published package's first README block from its tarball, so vitest's README
  // examples leave those blocks to it (tooling/examples/test/readme-examples.test.ts): nothing runs twice.
  await sideBySide([{ ...vitest, env: { SLUICE_CHERRY_PICK_RUNS_README: '1' } }, shape, cherryPick]);
}
summary();
