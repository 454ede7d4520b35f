import { SluiceError } from '@sluice/core';

/** Errors worth another attempt: throttling, service failures, 5xx, and the network. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; message?: string };
  if (e === null || typeof e !== 'object') return false;
  if (e.name === 'AbortError' || e.name === 'CredentialsProviderError') return false;
  if (e.name === 'ThrottlingException' || e.name === 'ServiceFailureException' || e.$retryable !== undefined) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (status !== undefined && status >= 400) return false;
  const network = [
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ERR_HTTP2_STREAM_ERROR',
    'ERR_STREAM_PREMATURE_CLOSE',
  ];
  return (
    network.includes(e.code ?? '') ||
    e.name === 'TimeoutError' ||
    /socket hang up|premature close|aborted|ECONNRESET|ECONNREFUSED|network|truncated|ended early/i.test(e.message ?? '')
  );
}

/** A typed SluiceError for an SDK or network failure on text[start, end). */
export function pollyError(error: unknown, span: { start: number; end: number }, attempts: number): SluiceError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const where = `text [${span.start}, ${span.end})`;
  const details = { ...span, attempts, awsError: e?.name, httpStatus: e?.$metadata?.httpStatusCode };
  const message = e?.message ?? String(error);
  switch (e?.name) {
    case 'ThrottlingException':
      return new SluiceError('E_TTS_THROTTLED', `Polly throttled the request for ${where} after ${attempts} attempt(s): ${message}`, {
        cause: error,
        details,
      });
    case 'InvalidSsmlException':
    case 'SsmlMarksNotSupportedForTextTypeException':
    case 'TextLengthExceededException':
    case 'ValidationException':
    case 'MarksNotSupportedForFormatException':
    case 'LanguageNotSupportedException':
    case 'EngineNotSupportedException':
    case 'InvalidSampleRateException':
    case 'LexiconNotFoundException':
      return new SluiceError('E_TTS_INVALID_TEXT', `Polly rejected ${where} (${e.name}): ${message}`, { cause: error, details });
    case 'CredentialsProviderError':
      return new SluiceError(
        'E_TTS_CREDENTIALS',
        `Polly: no AWS credentials (${message}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials, or pass { credentials } to PollyEngine.`,
        { cause: error, details },
      );
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'AccessDeniedException':
      return new SluiceError('E_TTS_CREDENTIALS', `Polly refused the credentials for ${where} (${e.name}): ${message}`, {
        cause: error,
        details,
      });
    default:
      return new SluiceError('E_TTS_SERVICE', `Polly failed for ${where} after ${attempts} attempt(s): ${message}`, {
        cause: error,
        details,
      });
  }
}

/** Full-jitter exponential backoff: a random wait in [0, min(cap, base · 2^attempt)). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** Waits `ms`, or rejects when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
