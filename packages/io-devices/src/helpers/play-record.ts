import { Pipeline, type PipelineStats } from '@sluice/core';
import { FileSink, FileSource } from '@sluice/writers';
import { MicrophoneSource, type MicrophoneSourceOptions } from '../streams/microphone-source';
import { SpeakerSink, type SpeakerSinkOptions } from '../streams/speaker-sink';

/** Plays an audio file (any format ffmpeg decodes) on an output device; resolves when it has been heard. */
export async function play(
  path: string,
  options: SpeakerSinkOptions & { signal?: AbortSignal } = {},
): Promise<PipelineStats & { underruns: number }> {
  const { signal, ...speaker } = options;
  const source = await FileSource.open(path, {
    ...(speaker.sampleRate === undefined ? {} : { sampleRate: speaker.sampleRate }),
    ...(speaker.channels === undefined ? {} : { channels: speaker.channels }),
  });
  const sink = new SpeakerSink(speaker);
  const stats = await new Pipeline({ source, sink, ...(signal === undefined ? {} : { signal }) }).wait();
  return { ...stats, underruns: sink.stats.underruns };
}

/** Records from an input device into a file (format from its extension) for `seconds`. */
export async function record(
  path: string,
  options: MicrophoneSourceOptions & { seconds: number; signal?: AbortSignal },
): Promise<PipelineStats & { overruns: number }> {
  const { signal, ...microphone } = options;
  const source = new MicrophoneSource(microphone);
  const stats = await new Pipeline({ source, sink: new FileSink(path), ...(signal === undefined ? {} : { signal }) }).wait();
  return { ...stats, overruns: source.stats.overruns };
}
