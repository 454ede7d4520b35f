#!/usr/bin/env node
// Runs every benchmark (packages/*/bench/*.bench.ts, apps/*/bench/*.bench.ts) from source,
// one process each, and prints a summary built from each one's last-line JSON.
// Usage: pnpm bench [filter]   (filter: a substring of the benchmark path)
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const filter = process.argv[2] ?? '';
const files = [];
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name, 'bench');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith('.bench.ts')) files.push(join(dir, file));
  }
}
const selected = files.filter((file) => relative(root, file).includes(filter));
const results = {};
let failed = 0;
for (const file of selected) {
  const name = relative(root, file);
  process.stdout.write(`\n=== ${name}\n`);
  const lines = [];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=@sluice/source', file], {
      cwd: join(file, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    child.stdout.on('data', (data) => {
      process.stdout.write(data);
      buffer += data;
      const parts = buffer.split('\n');
      buffer = parts.pop();
      lines.push(...parts);
    });
    child.on('close', (exitCode) => {
      if (buffer) lines.push(buffer);
      resolve(exitCode);
    });
  });
  const last = lines.filter((line) => line.trim()).at(-1);
  try {
    results[name] = JSON.parse(last);
  } catch {
    results[name] = { error: `no JSON on the last line (exit ${code})` };
  }
  if (code !== 0) failed++;
}
const outDir = join(root, 'bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\n=== summary (also in bench-results/latest.json)\n${JSON.stringify(results, null, 2)}\n`);
process.exitCode = failed ? 1 : 0;
