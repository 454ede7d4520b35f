import type { SluiceErrorCode } from './codes';
import { SLUICE_ERROR_MARKER, markAsSluiceError } from './marker';

/** Options for constructing a {@link SluiceError}. */
export interface SluiceErrorOptions {
  /** The underlying error, kept for diagnostics. */
  cause?: unknown;
  /** Structured details (offending index, expected and actual values, …). */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error type every Sluice package throws. `code` is stable and meant
 * for programs; `message` says what was wrong and what to do, for people.
 *
 * Use {@link SluiceError.isInstance} rather than `instanceof`: it also
 * recognises errors thrown by another copy of `@sluice/core` in the same
 * process (duplicate installs), through a `Symbol.for` marker.
 */
export class SluiceError extends Error {
  /** The stable machine-readable code. */
  readonly code: SluiceErrorCode;
  /** Structured details, when the thrower had any. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: SluiceErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.details = options.details;
    // A non-enumerable marker, so isInstance() works across copies of the package.
    markAsSluiceError(this);
  }

  /** True for any SluiceError, from this or any other installed copy of the package. */
  static isInstance(value: unknown): value is SluiceError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SLUICE_ERROR_MARKER] === true;
  }

  /** True when `value` is a SluiceError carrying `code`. */
  static hasCode(value: unknown, code: SluiceErrorCode): value is SluiceError {
    return SluiceError.isInstance(value) && value.code === code;
  }

  /**
   * Wraps anything thrown into a SluiceError. SluiceErrors pass through
   * unchanged, so the first (most specific) code wins.
   */
  static wrap(error: unknown, code: SluiceErrorCode, message: string): SluiceError {
    if (SluiceError.isInstance(error)) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new SluiceError(code, `${message}: ${reason}`, { cause: error });
  }

  /** A plain JSON view (code, message, details) that is safe to send to clients. */
  toJSON(): { name: string; code: SluiceErrorCode; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { name: this.name, code: this.code, message: this.message }
      : { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** The error an aborted operation rejects with; keeps the signal's reason as `cause`. */
export function abortError(signal?: AbortSignal, what = 'operation'): SluiceError {
  const reason = signal?.reason;
  if (SluiceError.isInstance(reason)) return reason;
  return new SluiceError('E_ABORTED', `The ${what} was aborted`, { cause: reason });
}
