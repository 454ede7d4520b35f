/**
 * @packageDocumentation
 * `@sluice/tts`: streaming text-to-speech. Feed text, get AudioChunks while
 * the rest is still being synthesized: sentence segmentation packed to the
 * engine's limits, prefetch, a bounded audio buffer, word timings on the
 * stream's timeline, and typed errors that name the text. Each engine is a
 * package of its own: `@sluice/tts-espeak` (eSpeak-NG, offline) and
 * `@sluice/tts-polly` (Amazon Polly).
 */
// Declares this package's error codes into core's registry (types only).
import './errors';
export type { SynthesisEvent, SynthesizeOptions, TtsEngine, TtsVoice, WordMark } from './engine/types';
export { closeVoices, unknownVoice } from './engine/voice-match';
export { type SegmentOptions, type TextSegment, segmentText } from './segmenter/segment-text';
export {
  type ChunkEvent,
  TtsStream,
  type TtsStreamEvents,
  type TtsStreamOptions,
  type TtsStats,
  type WordEvent,
} from './stream/tts-stream';
export type { SpeechStats, SpeechStream } from './stream/speech-stream';
export { type SpeakOptions, type SpeakResult, type SpeakStreamedOptions, speak, speakStreamed } from './speak';
export { type CaptionFormat, type Cue, type CueOptions, type TimedWord, captions, toSrt, toWebVtt, wordsToCues } from './captions/captions';
export { EnginePool, type EnginePoolOptions, warmUp } from './pool/engine-pool';
