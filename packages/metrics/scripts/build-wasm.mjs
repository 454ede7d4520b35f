#!/usr/bin/env node
// Compiles the package's WebAssembly text modules with wabt into TypeScript files that hold each module as base64,
// so the published package needs neither wabt nor a .wasm file to load. `--check` writes nothing and exits 1 when a
// committed bytes file is not what its source compiles to (test/wasm-sources.test.ts runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';

const MODULES = [
  { source: 'src/signal/moments.wat', target: 'src/signal/moments-bytes.ts', constant: 'MOMENTS_WASM_BASE64' },
  { source: 'src/bss/complex-mac.wat', target: 'src/bss/complex-mac-bytes.ts', constant: 'COMPLEX_MAC_WASM_BASE64' },
];

const wabt = await createWabt();
const check = process.argv.includes('--check');
let stale = 0;
for (const { source, target, constant } of MODULES) {
  const sourcePath = fileURLToPath(new URL(`../${source}`, import.meta.url));
  const targetPath = fileURLToPath(new URL(`../${target}`, import.meta.url));
  const name = source.split('/').at(-1);
  const module = wabt.parseWat(name, readFileSync(sourcePath, 'utf8'), { simd: true });
  const bytes = module.toBinary({}).buffer;
  module.destroy();
  const text = `/** ${name} compiled by scripts/build-wasm.mjs (do not edit; run \`pnpm --filter @sluice/metrics build:wasm\`). */
export const ${constant} =
  '${Buffer.from(bytes).toString('base64')}';
`;
  if (!check) {
    writeFileSync(targetPath, text);
    console.log(`wrote ${target} (${bytes.length} bytes of WebAssembly)`);
  } else if (readFileSync(targetPath, 'utf8') === text) {
    console.log(`${target} matches ${source}`);
  } else {
    console.error(`${target} is not what ${source} compiles to: run pnpm --filter @sluice/metrics build:wasm`);
    stale++;
  }
}
if (stale > 0) process.exit(1);
