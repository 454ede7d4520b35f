import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('the embedded WebAssembly modules', () => {
  it('are what their .wat sources compile to, as committed', () => {
    const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));
    const output = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(output).toContain('src/signal/moments-bytes.ts matches src/signal/moments.wat');
    expect(output).toContain('src/bss/complex-mac-bytes.ts matches src/bss/complex-mac.wat');
  });
});
