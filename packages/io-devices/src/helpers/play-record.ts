import { Pipeline, type PipelineStats } from '@sluice/core';
import { FileSink, type FileSinkOptions, FileSource } from '@sluice/writers';
import { MicrophoneSource, type MicrophoneSourceOptions } from '../streams/microphone-source';
import { SpeakerSink, type SpeakerSinkOptions } from '../streams/speaker-sink';

/** Plays an audio file (any format ffmpeg decodes) on an output device; resolves when it has been heard. */
export async function play(
  path: string,
  options: SpeakerSinkOptions & { signal?: AbortSignal; onDecodeError?: 'throw' | 'ignore' } = {},
): Promise<PipelineStats & { underruns: number }> {
  const { signal, onDecodeError, ...speaker } = options;
  const source = await FileSource.open(path, {
    ...(onDecodeError === undefined ? {} : { onDecodeError }),
    ...(speaker.sampleRate === undefined ? {} : { sampleRate: speaker.sampleRate }),
    ...(speaker.channels === undefined ? {} : { channels: speaker.channels }),
  });
  const sink = new SpeakerSink(speaker);
  const stats = await new Pipeline({ source, sink, ...(signal === undefined ? {} : { signal }) }).wait();
  return { ...stats, underruns: sink.stats.underruns };
}

/**
 * Records from an input device into a file (format from its extension) for
 * `seconds`. `file` passes options to the FileSink (sample format, bitrate,
 * `keepPartial` to keep what was recorded when the signal aborts).
 */
export async function record(
  path: string,
  options: MicrophoneSourceOptions & { seconds: number; signal?: AbortSignal; file?: Omit<FileSinkOptions, 'signal'> },
): Promise<PipelineStats & { overruns: number }> {
  const { signal, file, ...microphone } = options;
  const source = new MicrophoneSource(microphone);
  const sink = new FileSink(path, file ?? {});
  const stats = await new Pipeline({ source, sink, ...(signal === undefined ? {} : { signal }) }).wait();
  return { ...stats, overruns: source.stats.overruns };
}
