/** A voice an engine offers. */
export interface TtsVoice {
  /** What to pass as `voice` (Polly's VoiceId, eSpeak's identifier). */
  id: string;
  /** A human-readable name. */
  name: string;
  /** Primary language code, e.g. `en-US`. */
  language: string;
  /** Every language the voice speaks, when the engine says. */
  languages?: string[];
  gender?: 'female' | 'male' | 'neutral';
  /** Polly engines the voice supports (standard, neural, long-form, generative). */
  engines?: string[];
}

/** Where and when a word is spoken, relative to one synthesis request. */
export interface WordMark {
  /** The word as written. */
  text: string;
  /** Offset of the word's first character (UTF-16 code units) in the request text. */
  start: number;
  /** Offset just past its last character. */
  end: number;
  /** Seconds from the start of the request's audio. */
  time: number;
  /** True when the engine gave no event for this word and its time was interpolated between its neighbours'. */
  estimated?: boolean;
}

/** Per-request options every engine understands (engines may ignore some). */
export interface SynthesizeOptions {
  /** Voice id (see `voices()`). */
  voice?: string;
  /** Language of the text (BCP 47, e.g. `en-US`): which language a multilingual voice speaks, and where TtsStream finds sentence boundaries. */
  language?: string;
  /** Speaking rate, 1 = the voice's normal speed. */
  rate?: number;
  /** Pitch shift, 1 = the voice's normal pitch. */
  pitch?: number;
  /** Whether the text is plain text or SSML (default text). */
  textType?: 'text' | 'ssml';
  /**
   * Which stream this request belongs to and which of its segments it is
   * (0 first), for engines that share capacity between streams
   * (`EnginePool`); other engines ignore it.
   */
  schedule?: { stream: object; index: number };
}

/** What an engine yields while synthesizing: audio, word marks, or a note that timings are unavailable. */
export type SynthesisEvent =
  | { type: 'audio'; samples: Float32Array }
  | { type: 'word'; word: WordMark }
  | { type: 'timings'; available: false; reason: string };

/**
 * A text-to-speech engine. `synthesize` yields mono audio at `sampleRate`
 * as it arrives (never the whole request first) and word marks when the
 * engine has them; it fails with a SluiceError (`E_TTS_*`) naming the text.
 */
export interface TtsEngine {
  /** A name for stats and messages. */
  readonly name: string;
  /** Sample rate of the audio `synthesize` yields. */
  readonly sampleRate: number;
  /** Largest request, in billed characters (SSML tags not counted where the engine does not bill them). */
  readonly maxSegmentChars: number;
  /** True when the engine accepts SSML. */
  readonly supportsSsml: boolean;
  /** The voices on offer. */
  voices(signal?: AbortSignal): Promise<TtsVoice[]>;
  /** Synthesizes one request. */
  synthesize(text: string, options?: SynthesizeOptions, signal?: AbortSignal): AsyncIterable<SynthesisEvent>;
  /** Releases workers, sockets. */
  close?(): Promise<void>;
}
