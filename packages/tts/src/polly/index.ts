/**
 * @packageDocumentation
 * `@sluice/tts/polly`: Amazon Polly for `@sluice/tts`. A subpath of its own so
 * that the AWS SDK (an optional peer: `npm install @aws-sdk/client-polly
 * @smithy/node-http-handler`) is loaded only by those who use Polly.
 */
export { PollyEngine, type PollyEngineOptions } from './polly-engine';
export { type PollyDuplexOptions, type PollyDuplexStats, PollyDuplexStream } from './polly-duplex-stream';
export { parseSpeechMarks } from './speech-marks';
