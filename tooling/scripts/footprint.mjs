#!/usr/bin/env node
// What installing each publishable package pulls in: its direct runtime
// dependencies, every package they bring (resolved as installed here), and
// the unpacked size on disk. Fails if @sluice/core or @sluice/ringbuffer gain
// a runtime dependency. Usage: pnpm footprint [--json]
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function size(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    total += size(join(path, entry));
  }
  return total;
}

/** The directory a dependency resolves to from `from` (following pnpm's links), or undefined when it is not installed. */
function resolvePackage(name, from) {
  try {
    return dirname(realpathSync(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`)));
  } catch {
    let dir = from;
    for (;;) {
      const candidate = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(candidate)) return dirname(realpathSync(candidate));
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }
}

function runtimeDeps(manifest) {
  const peers = Object.keys(manifest.peerDependencies ?? {}).filter((name) => !manifest.peerDependenciesMeta?.[name]?.optional);
  return { required: [...Object.keys(manifest.dependencies ?? {}), ...peers], optional: Object.keys(manifest.optionalDependencies ?? {}) };
}

function closure(dir) {
  const seen = new Map();
  const visit = (packageDir) => {
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    const { required, optional } = runtimeDeps(manifest);
    for (const name of [...required, ...optional]) {
      const resolved = resolvePackage(name, packageDir);
      if (resolved === undefined || seen.has(resolved)) continue;
      seen.set(resolved, name);
      visit(resolved);
    }
  };
  visit(dir);
  return seen;
}

const rows = [];
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const { required, optional } = runtimeDeps(manifest);
    const deps = closure(dir);
    const external = [...deps].filter(([, dep]) => !dep.startsWith('@sluice/'));
    const own = existsSync(join(dir, 'dist')) ? size(join(dir, 'dist')) : 0;
    const pulled = [...deps.keys()].reduce((sum, path) => sum + size(path), 0);
    rows.push({
      package: manifest.name,
      direct: required.length,
      optional: optional.join(', ') || '–',
      sluiceDeps: [...deps.values()].filter((dep) => dep.startsWith('@sluice/')).length,
      externalPackages: external.length,
      ownDistMb: +(own / 1e6).toFixed(2),
      installMb: +((own + pulled) / 1e6).toFixed(1),
    });
  }
}

if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(rows)}\n`);
else {
  const header = ['package', 'direct deps', 'optional', '@sluice deps', 'other packages', 'dist MB', 'install MB'];
  process.stdout.write(`${header.join(' | ')}\n${header.map(() => '---').join(' | ')}\n`);
  for (const row of rows) process.stdout.write(`${Object.values(row).join(' | ')}\n`);
}
const heavy = rows.filter(
  (row) => (row.package === '@sluice/core' || row.package === '@sluice/ringbuffer') && row.direct + row.externalPackages > 0,
);
if (heavy.length > 0) {
  process.stderr.write(`footprint: ${heavy.map((row) => row.package).join(', ')} must have no runtime dependencies\n`);
  process.exit(1);
}
