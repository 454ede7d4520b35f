/**
 * @packageDocumentation
 * `@sluice/tts-polly`: Amazon Polly for `@sluice/tts`. `PollyEngine` is a
 * `TtsEngine` (one request per segment, word timings from speech marks,
 * retries with backoff); `PollyDuplexStream` is a `SpeechStream` over Polly's
 * bidirectional `StartSpeechSynthesisStream`. Engines are packages of their
 * own, as `@sluice/tts-espeak` is, so installing one installs what it runs on.
 */
export { PollyEngine, type PollyEngineOptions } from './polly-engine';
export { type PollyDuplexOptions, type PollyDuplexStats, PollyDuplexStream } from './polly-duplex-stream';
export { parseSpeechMarks } from './speech-marks';
