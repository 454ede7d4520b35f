#!/usr/bin/env node
// The whole test suite, as `.ci/run` and the README run it:
//   1. system packages the tests use (Debian, only when root and missing),
//   2. format + lint (biome), a changeset for every changed package, typecheck, build,
//      published-shape checks (publint, attw), the cherry-pick install test,
//   3. vitest over every package and app,
// then a summary that says plainly what was skipped and why.
import { spawnSync } from 'node:child_process';
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

function summary() {
  process.stdout.write('\nSummary:\n');
  for (const s of steps) process.stdout.write(`  ${s.ok ? '✔' : '✖'} ${s.name} (${s.seconds} s)\n`);
  process.stdout.write(`  total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

step('system packages', process.execPath, ['tooling/scripts/setup-system.mjs']);
step('format and lint (biome)', 'biome', ['ci', '--colors=off', '.']);
step('changesets', process.execPath, ['tooling/scripts/check-changesets.mjs']);
step('typecheck', 'turbo', ['run', 'typecheck', '--output-logs=errors-only']);
step('build', 'turbo', ['run', 'build', '--output-logs=errors-only']);
step('package shape (publint, attw)', 'turbo', ['run', 'check:package', '--output-logs=errors-only', '--concurrency=2']);
if (process.env.SLUICE_SKIP_CHERRY_PICK === '1') {
  process.stdout.write('\n▶ cherry-pick: skipped (SLUICE_SKIP_CHERRY_PICK=1)\n');
} else {
  step('cherry-pick (each package packed, installed alone with npm, imported, type-checked, README example run)', process.execPath, [
    'tooling/scripts/cherry-pick.mjs',
  ]);
}
step('tests (vitest)', 'vitest', ['run']);
summary();
