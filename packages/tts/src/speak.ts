import { Pipeline, type PipelineStats, type Sink } from '@sluice/core';
import { type ChunkEvent, TtsStream, type TtsStreamOptions, type TtsStats, type WordEvent } from './stream/tts-stream';

/** Options for {@link speak} and {@link speakStreamed}. */
export interface SpeakOptions extends TtsStreamOptions {
  /** Where the audio goes: a file, an HTTP response, a speaker. */
  sink: Sink;
}

/** Options for {@link speakStreamed}: callbacks per chunk and per word, like tts-wrapper's `speak_streamed`. */
export interface SpeakStreamedOptions extends SpeakOptions {
  onChunk?: (event: ChunkEvent) => void;
  onWord?: (event: WordEvent) => void;
}

/** What speaking reports: the speech stream's figures and the pipeline's. */
export interface SpeakResult {
  speech: TtsStats;
  pipeline: PipelineStats;
}

/** Speaks `text` into `sink`, streaming: audio reaches the sink while later sentences are still being synthesized. */
export function speak(text: string, options: SpeakOptions): Promise<SpeakResult> {
  return speakStreamed(text, options);
}

/** {@link speak} with callbacks for each chunk (its text span) and each word (offsets and times in seconds). */
export async function speakStreamed(text: string, options: SpeakStreamedOptions): Promise<SpeakResult> {
  const { sink, onChunk, onWord, ...streamOptions } = options;
  const stream = new TtsStream(streamOptions);
  if (onChunk) stream.on('chunk', onChunk);
  if (onWord) stream.on('word', onWord);
  stream.on('error', () => undefined);
  stream.feed(text);
  stream.done();
  const pipeline = await new Pipeline({ source: stream, sink, ...(options.signal === undefined ? {} : { signal: options.signal }) }).wait();
  return { speech: await stream.waitUntilDone(), pipeline };
}
