#!/usr/bin/env node
// Fails when a publishable package's source or manifest changed since the last
// release commit and no pending changeset (.changeset/*.md) names it.
// The last release is the last commit that touched a CHANGELOG.md (what
// `pnpm version-packages` writes); before the first release, every package
// with source counts as changed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });

if (git('rev-parse', '--git-dir').status !== 0) {
  process.stdout.write('check-changesets: not a git checkout; skipped\n');
  process.exit(0);
}

const packages = [];
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const manifest = join(root, group, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    if (!json.private) packages.push({ name: json.name, dir: `${group}/${name}` });
  }
}

const release = git('log', '-1', '--format=%H', '--', ':(glob)packages/*/CHANGELOG.md', ':(glob)apps/*/CHANGELOG.md').stdout.trim();
const changed = (dir) => {
  const paths = [`${dir}/src`, `${dir}/package.json`];
  if (release === '') return git('ls-files', '--', ...paths).stdout.trim() !== '';
  const committed = git('diff', '--name-only', release, 'HEAD', '--', ...paths).stdout.trim();
  const uncommitted = git('status', '--porcelain', '--', ...paths).stdout.trim();
  return committed !== '' || uncommitted !== '';
};

const named = new Set();
for (const file of readdirSync(join(root, '.changeset'))) {
  if (!file.endsWith('.md') || file === 'README.md') continue;
  const text = readFileSync(join(root, '.changeset', file), 'utf8');
  const front = /^---\n([\s\S]*?)\n---/.exec(text);
  if (front === null) {
    process.stderr.write(`check-changesets: .changeset/${file} has no front matter (--- 'package': bump ---); changesets cannot read it\n`);
    process.exit(1);
  }
  for (const match of front[1].matchAll(/^["']?(@[\w-]+\/[\w-]+)["']?:\s*(major|minor|patch)\s*$/gm)) named.add(match[1]);
}

const missing = packages.filter((pkg) => changed(pkg.dir) && !named.has(pkg.name));
const since = release === '' ? 'before the first release' : `since release commit ${release.slice(0, 10)}`;
if (missing.length > 0) {
  for (const pkg of missing)
    process.stderr.write(`check-changesets: ${pkg.name} (${pkg.dir}) changed ${since}, but no changeset names it; run pnpm changeset\n`);
  process.exit(1);
}
process.stdout.write(`check-changesets: ${packages.length} publishable packages; every one changed ${since} has a changeset\n`);
