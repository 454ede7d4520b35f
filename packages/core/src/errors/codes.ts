/**
 * The registry of error codes: one key per code, documented where it is
 * declared. Core declares the generic codes below; every other package
 * declares its own by augmenting this interface (declaration merging, as
 * TanStack Query's `Register`), so a new package never edits core:
 *
 * ```ts
 * declare module '@sluice/core' {
 *   interface SluiceErrorCodes {
 *     /** An ffmpeg process failed. *\/
 *     E_FFMPEG: true;
 *   }
 * }
 * ```
 *
 * {@link SluiceErrorCode} is then every code of every package the program
 * imports. Codes never change meaning once published.
 */
export interface SluiceErrorCodes {
  /** Invalid argument or option value. */
  E_INVALID_ARGUMENT: true;
  /** A call the object's current state does not allow (start() on a finished pipeline, reset() while running). */
  E_STATE: true;
  /** Audio format problem: bad sample rate, channel count, unequal planes, mismatch between chunks. */
  E_FORMAT: true;
  /** A `seq` number out of order or with a gap. */
  E_SEQUENCE: true;
  /** Something was used after it was closed. */
  E_CLOSED: true;
  /** Nothing by that name: a file, a job, a stem, a route. */
  E_NOT_FOUND: true;
  /** An operation did not finish within its `timeoutMs`. */
  E_TIMEOUT: true;
  /** The operation was cancelled through an AbortSignal or `stop()`. */
  E_ABORTED: true;
  /** A source failed while producing chunks. */
  E_SOURCE: true;
  /** A processor failed while processing a chunk. */
  E_PROCESSOR: true;
  /** A sink failed while consuming a chunk. */
  E_SINK: true;
  /** A chunk is larger than a channel or buffer allows. */
  E_CHUNK_TOO_LARGE: true;
  /** A bounded buffer is full and its policy is to throw. */
  E_BUFFER_OVERFLOW: true;
  /** Input bytes could not be decoded (PCM, chunk records, NDJSON; files in `@sluice/writers`). */
  E_DECODE: true;
  /** A format, codec or option is not supported. */
  E_UNSUPPORTED: true;
  /** A file system or stream I/O error. */
  E_IO: true;
  /** A worker thread crashed or was terminated. */
  E_WORKER: true;
  /** A numerical input (NaN, Infinity) was not acceptable. */
  E_NON_FINITE: true;
  /** An unexpected internal failure; please report it. */
  E_INTERNAL: true;
}

/** Every error code: core's and those every imported package declares in {@link SluiceErrorCodes}. */
export type SluiceErrorCode = keyof SluiceErrorCodes;
