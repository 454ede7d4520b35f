/**
 * Every stable error code Sluice raises. Codes never change meaning once
 * published; new ones are added here so that one union covers all packages.
 */
export type SluiceErrorCode =
  /** Invalid argument or option value. */
  | 'E_INVALID_ARGUMENT'
  /** Audio format problem: bad sample rate, channel count, unequal planes, mismatch between chunks. */
  | 'E_FORMAT'
  /** A `seq` number out of order or with a gap. */
  | 'E_SEQUENCE'
  /** Something was used after it was closed. */
  | 'E_CLOSED'
  /** Nothing by that name: a file, a job, a stem, a route. */
  | 'E_NOT_FOUND'
  /** An operation did not finish within its `timeoutMs`. */
  | 'E_TIMEOUT'
  /** The operation was cancelled through an AbortSignal or `stop()`. */
  | 'E_ABORTED'
  /** A source failed while producing chunks. */
  | 'E_SOURCE'
  /** A processor failed while processing a chunk. */
  | 'E_PROCESSOR'
  /** A sink failed while consuming a chunk. */
  | 'E_SINK'
  /** A chunk is larger than a channel or buffer allows. */
  | 'E_CHUNK_TOO_LARGE'
  /** A bounded buffer is full and its policy is to throw. */
  | 'E_BUFFER_OVERFLOW'
  /** Input bytes could not be decoded. */
  | 'E_DECODE'
  /** Audio could not be encoded. */
  | 'E_ENCODE'
  /** A format, codec or option is not supported. */
  | 'E_UNSUPPORTED'
  /** No usable ffmpeg binary was found. */
  | 'E_FFMPEG_NOT_FOUND'
  /** An ffmpeg process failed. */
  | 'E_FFMPEG'
  /** A file system or stream I/O error. */
  | 'E_IO'
  /** An audio device (or its driver) is not available. */
  | 'E_DEVICE_UNAVAILABLE'
  /** A model file is missing, corrupt or does not fit the expected contract. */
  | 'E_MODEL'
  /** A worker thread crashed or was terminated. */
  | 'E_WORKER'
  /** A sandboxed WebAssembly module broke a rule or trapped. */
  | 'E_SANDBOX'
  /** Text-to-speech: the service throttled the request. */
  | 'E_TTS_THROTTLED'
  /** Text-to-speech: the text or SSML was rejected. */
  | 'E_TTS_INVALID_TEXT'
  /** Text-to-speech: unknown voice. */
  | 'E_TTS_VOICE'
  /** Text-to-speech: credentials are missing or rejected. */
  | 'E_TTS_CREDENTIALS'
  /** Text-to-speech: the service failed or could not be reached. */
  | 'E_TTS_SERVICE'
  /** A numerical input (NaN, Infinity) was not acceptable. */
  | 'E_NON_FINITE'
  /** An unexpected internal failure; please report it. */
  | 'E_INTERNAL';
