import type { SluiceErrorCode } from '@sluice/core';
// Bundled into this package's build (core is a development dependency here): the marker is core's own,
// and the package still has no dependencies at all, so it can run in an AudioWorklet.
import { markAsSluiceError } from '@sluice/core/internal';

/**
 * Creates an error that `SluiceError.isInstance()` recognises (core's
 * marker, `name` and `code`), without a runtime dependency on @sluice/core.
 */
export function ringBufferError(
  code: SluiceErrorCode,
  message: string,
  details?: Record<string, unknown>,
): Error & { code: SluiceErrorCode } {
  const error = new Error(message) as Error & { code: SluiceErrorCode; details?: Record<string, unknown> };
  error.name = 'SluiceError';
  error.code = code;
  if (details !== undefined) error.details = details;
  return markAsSluiceError(error);
}

/** Throws `E_INVALID_ARGUMENT` unless `value` is a positive integer. */
export function requirePositiveInteger(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw ringBufferError('E_INVALID_ARGUMENT', `${where}: ${name} must be a positive integer, got ${String(value)}`, { [name]: value });
  }
  return value;
}
