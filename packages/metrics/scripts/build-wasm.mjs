#!/usr/bin/env node
// Compiles src/signal/moments.wat with wabt into src/signal/moments-bytes.ts (the module as base64), so the
// published package needs neither wabt nor a .wasm file to load. `--check` writes nothing and exits 1 when the
// committed bytes are not what the source compiles to (test/moments-wasm.test.ts runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';

const source = fileURLToPath(new URL('../src/signal/moments.wat', import.meta.url));
const target = fileURLToPath(new URL('../src/signal/moments-bytes.ts', import.meta.url));
const wabt = await createWabt();
const module = wabt.parseWat('moments.wat', readFileSync(source, 'utf8'), { simd: true });
const bytes = module.toBinary({}).buffer;
module.destroy();
const text = `/** moments.wat compiled by scripts/build-wasm.mjs (do not edit; run \`pnpm --filter @sluice/metrics build:wasm\`). */
export const MOMENTS_WASM_BASE64 =
  '${Buffer.from(bytes).toString('base64')}';
`;
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error(
      'src/signal/moments-bytes.ts is not what src/signal/moments.wat compiles to: run pnpm --filter @sluice/metrics build:wasm',
    );
    process.exit(1);
  }
  console.log('moments-bytes.ts matches moments.wat');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${bytes.length} bytes of WebAssembly)`);
}
