import { type SluiceErrorCode, SluiceError } from '@sluice/core';

/** Codes that say the job itself is wrong: running it again gives the same answer, so it fails at once. */
const PERMANENT: ReadonlySet<SluiceErrorCode> = new Set<SluiceErrorCode>([
  'E_INVALID_ARGUMENT',
  'E_DECODE',
  'E_FORMAT',
  'E_MODEL',
  'E_UNSUPPORTED',
  'E_NOT_FOUND',
  'E_NON_FINITE',
  'E_ABORTED',
  'E_TTS_INVALID_TEXT',
  'E_TTS_VOICE',
  'E_TTS_CREDENTIALS',
]);

/**
 * Whether a failed job is worth another attempt: storage and network
 * failures, a crashed thread, ffmpeg dying, timeouts are; an input that cannot
 * be decoded, a missing model or a bad option are not. An error may also say
 * so itself (`details.retryable`, e.g. S3's 403).
 */
export function isRetryable(error: unknown): boolean {
  if (!SluiceError.isInstance(error)) return true;
  const said = error.details?.retryable;
  if (typeof said === 'boolean') return said;
  return !PERMANENT.has(error.code);
}

/** The form a failure is stored and shown in: `CODE: message`. */
export function failureText(error: unknown): { code: string; message: string } {
  if (SluiceError.isInstance(error)) return { code: error.code, message: error.message };
  return { code: 'E_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
