/**
 * The error codes `@sluice/wasm` raises beside core's, declared into core's
 * registry (see `SluiceErrorCodes` in `@sluice/core`).
 */
declare module '@sluice/core' {
  interface SluiceErrorCodes {
    /** A sandboxed WebAssembly module broke a rule (imports, memory or table limits, time) or trapped. */
    E_SANDBOX: true;
  }
}

export {};
