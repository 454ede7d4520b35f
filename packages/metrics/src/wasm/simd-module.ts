/**
 * Compiles one of the package's embedded WebAssembly SIMD modules (base64, from scripts/build-wasm.mjs), or returns
 * null where this runtime has no WebAssembly or no SIMD: `WebAssembly.validate` is false there, and the callers
 * fall back to their scalar loops. The modules are a few hundred bytes, small enough to compile synchronously
 * anywhere.
 */
export function compileSimdModule(base64: string): WebAssembly.Module | null {
  if (typeof WebAssembly !== 'object') return null;
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
}
