/**
 * The error codes `@sluice/writers` raises beside core's, declared into core's
 * registry (see `SluiceErrorCodes` in `@sluice/core`).
 */
declare module '@sluice/core' {
  interface SluiceErrorCodes {
    /** No usable ffmpeg binary was found (the message says what was tried). */
    E_FFMPEG_NOT_FOUND: true;
    /** An ffmpeg process failed or was killed (the message carries its last line). */
    E_FFMPEG: true;
  }
}

export {};
