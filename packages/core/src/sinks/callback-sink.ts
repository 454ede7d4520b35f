import type { AudioChunk } from '../chunk/audio-chunk';
import type { AudioFormat } from '../format/audio-format';
import type { Sink } from '../stream/types';

/** Options for {@link CallbackSink}. */
export interface CallbackSinkOptions {
  /** Name for stats and messages. */
  name?: string;
  /** Called once when the stream ends normally. */
  onClose?: () => void | Promise<void>;
}

/**
 * Hands every chunk to a function, like mlx-audio's `CallbackSink`. When the
 * function returns a promise the pipeline waits for it (backpressure).
 */
export class CallbackSink implements Sink {
  readonly name: string;
  /** The format announced by the pipeline, once open. */
  format: AudioFormat | undefined;

  constructor(
    private readonly callback: (chunk: AudioChunk) => void | Promise<void>,
    private readonly options: CallbackSinkOptions = {},
  ) {
    this.name = options.name ?? 'callback-sink';
  }

  open(format: AudioFormat): void {
    this.format = format;
  }

  write(chunk: AudioChunk): void | Promise<void> {
    return this.callback(chunk);
  }

  close(): void | Promise<void> {
    return this.options.onClose?.();
  }
}

/** A sink that drops everything: for benchmarks and for draining a pipeline. */
export class NullSink implements Sink {
  readonly name = 'null-sink';
  /** Chunks received. */
  chunks = 0;
  /** Frames received. */
  frames = 0;

  write(chunk: AudioChunk): void {
    this.chunks++;
    this.frames += chunk.frames;
  }

  close(): void {}
}
