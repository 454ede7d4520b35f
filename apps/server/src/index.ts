/**
 * @packageDocumentation
 * `@sluice/server`: Sluice's demo server. OpenAI-compatible streaming speech
 * (`POST /v1/audio/speech`), word timings as NDJSON, streaming separation of
 * uploads with progress as Server-Sent Events, a WebSocket processing
 * stream, Prometheus metrics, and a web page at `/`.
 */
export { type BatchQueueOptions, buildServer, espeakPool, type ServerOptions, type SluiceServer } from './app';
export { DEFAULT_LIMITS, type ServerLimits } from './context';
export { MetricsRegistry } from './metrics/registry';
export { OPENAI_VOICES } from '@sluice/tts-espeak';
export { RESPONSE_FORMATS } from './routes/speech-request';
