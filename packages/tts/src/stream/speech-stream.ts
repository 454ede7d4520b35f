import type { Source } from '@sluice/core';

/** What every {@link SpeechStream} reports when it ends. Durations are in seconds, as in core's PipelineStats. */
export interface SpeechStats {
  /** Characters fed. */
  characters: number;
  /** Seconds of audio handed out. */
  audioSeconds: number;
  /** Seconds from the first `feed()` to the first audio handed out (NaN when no audio came). */
  firstAudioSeconds: number;
  /** Seconds from the first `feed()` to the end (0 when nothing was fed). */
  processingSeconds: number;
  /** `audioSeconds / processingSeconds`: × real time (0 when nothing was processed). */
  speed: number;
}

/**
 * Text in, audio out while the rest is still being synthesized: a Source of
 * AudioChunks fed with `feed()` and ended with `done()`. `TtsStream` (any
 * {@link TtsEngine}, one request per segment) and `PollyDuplexStream` (one
 * bidirectional Polly connection) both are one, so code written against this
 * interface takes either.
 */
export interface SpeechStream<Stats extends SpeechStats = SpeechStats> extends Source {
  /**
   * Adds text. Returns false when the stream holds enough audio that the
   * caller should wait before feeding more (TtsStream's bounded buffer, with
   * its `drain` event); a stream without such a bound always returns true.
   */
  feed(text: string): boolean;
  /** No more text: what is left is synthesized, and the stream ends after it. */
  done(): void;
  /** Resolves with the stats when all audio has been handed out; rejects with the stream's error. */
  waitUntilDone(): Promise<Stats>;
  /** Stops at once: pending work is cancelled and iteration ends. Idempotent. */
  close(): Promise<void>;
}

/** The timing part of {@link SpeechStats}, from `performance.now()` readings in milliseconds. */
export function speechTimes(
  startedAtMs: number,
  firstAudioAfterMs: number,
  audioSeconds: number,
): Pick<SpeechStats, 'firstAudioSeconds' | 'processingSeconds' | 'speed'> {
  const processingSeconds = startedAtMs === 0 ? 0 : (performance.now() - startedAtMs) / 1000;
  return {
    firstAudioSeconds: firstAudioAfterMs / 1000,
    processingSeconds,
    speed: processingSeconds > 0 ? audioSeconds / processingSeconds : 0,
  };
}
