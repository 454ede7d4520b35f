/**
 * The error codes `@sluice/separation` raises beside core's, declared into core's
 * registry (see `SluiceErrorCodes` in `@sluice/core`).
 */
declare module '@sluice/core' {
  interface SluiceErrorCodes {
    /** A model file is missing, corrupt, or does not fit the contract expected of it. */
    E_MODEL: true;
  }
}

export {};
