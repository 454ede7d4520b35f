/**
 * The error codes of speech synthesis (raised by TtsStream and by every engine), declared into core's
 * registry (see `SluiceErrorCodes` in `@sluice/core`).
 */
declare module '@sluice/core' {
  interface SluiceErrorCodes {
    /** The speech service throttled the request beyond the retries. */
    E_TTS_THROTTLED: true;
    /** The text or SSML was rejected (the span is in `details`). */
    E_TTS_INVALID_TEXT: true;
    /** No voice by that name (close matches are listed). */
    E_TTS_VOICE: true;
    /** Credentials for the speech service are missing or were refused. */
    E_TTS_CREDENTIALS: true;
    /** The speech service failed or could not be reached. */
    E_TTS_SERVICE: true;
  }
}

export {};
