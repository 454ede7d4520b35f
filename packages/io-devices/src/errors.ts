/**
 * The error codes `@sluice/io-devices` raises beside core's, declared into core's
 * registry (see `SluiceErrorCodes` in `@sluice/core`).
 */
declare module '@sluice/core' {
  interface SluiceErrorCodes {
    /** An audio device, or the PortAudio binding, is not available. */
    E_DEVICE_UNAVAILABLE: true;
  }
}

export {};
