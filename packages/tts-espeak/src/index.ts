/**
 * @packageDocumentation
 * `@sluice/tts-espeak`: offline text-to-speech for `@sluice/tts` with
 * eSpeak-NG compiled to WebAssembly (GPL-3.0, which is why this engine is a
 * package of its own). Runs in a worker thread; no network, no native build.
 */
export { EspeakEngine, type EspeakEngineOptions } from './espeak-engine';
export { OPENAI_VOICES, espeakVoiceFor } from './openai-voices';
