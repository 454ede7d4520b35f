import { join } from 'node:path';
import { type AudioChunk, type AudioFormat, type Sink, SluiceError, stemPlanes } from '@sluice/core';
import { type EncodeOptions, type Container, extensionOf } from '../encode/containers';
import { FileSink } from './file-sink';

/** Options for {@link MultiFileSink}. */
export interface MultiFileSinkOptions extends EncodeOptions {
  /** The container of every file (default wav). */
  container?: Container;
  /** Stems to write (default: every stem the first chunk carries). */
  stems?: readonly string[];
  /** Also write the mix as `mixture.<ext>` (default false). */
  includeMix?: boolean;
  /** On abort, keep each stem written so far (see FileSinkOptions.keepPartial); by default nothing is left. */
  keepPartial?: boolean;
  /** Input files no stem may overwrite (see FileSinkOptions.inputs). */
  inputs?: readonly string[];
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Writes each stem of a separated stream to its own file in a directory,
 * like mlx-audio's `MultiFileSink(output_dir, stem_names)`:
 * `dir/drums.wav`, `dir/bass.wav`, … Stem names must be plain words (no
 * path separators), so nothing is written outside `dir`.
 */
export class MultiFileSink implements Sink {
  readonly name = 'multi-file-sink';
  private sinks = new Map<string, FileSink>();
  private format: AudioFormat | undefined;
  private readonly container: Container;

  constructor(
    readonly directory: string,
    private readonly options: MultiFileSinkOptions = {},
  ) {
    this.container = options.container ?? 'wav';
    for (const stem of options.stems ?? []) this.checkName(stem);
  }

  /** Paths written, by stem. */
  get files(): Record<string, string> {
    return Object.fromEntries([...this.sinks].map(([stem, sink]) => [stem, sink.path]));
  }

  open(format: AudioFormat): void {
    this.format = format;
  }

  async write(chunk: AudioChunk): Promise<void> {
    if (this.sinks.size === 0) await this.openFiles(chunk);
    await Promise.all(
      [...this.sinks].map(([stem, sink]) => {
        if (stem === 'mixture') return sink.write(chunk);
        const planes = stemPlanes(chunk, stem);
        if (planes === undefined) throw new SluiceError('E_INVALID_ARGUMENT', `MultiFileSink: chunk ${chunk.seq} lacks stem "${stem}"`);
        return sink.write({ ...chunk, planes });
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.sinks.values()].map((sink) => sink.close()));
  }

  async abort(): Promise<void> {
    await Promise.allSettled([...this.sinks.values()].map((sink) => sink.abort()));
  }

  private async openFiles(first: AudioChunk): Promise<void> {
    const stems = this.options.stems ?? Object.keys(first.stems ?? {});
    if (stems.length === 0 && !this.options.includeMix) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        'MultiFileSink: the stream carries no stems (put a separation processor before this sink)',
      );
    }
    const names = [...stems, ...(this.options.includeMix ? ['mixture'] : [])];
    for (const stem of names) {
      this.checkName(stem);
      const sink = new FileSink(join(this.directory, `${stem}.${extensionOf(this.container)}`), {
        ...this.options,
        container: this.container,
      });
      this.sinks.set(stem, sink);
    }
    // Every open settles before a failure is reported, so no stem is still being created while the others are removed.
    const opened = await Promise.allSettled([...this.sinks.values()].map((sink) => sink.open(this.format ?? first.format)));
    const failed = opened.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) {
      await this.abort();
      throw failed.reason;
    }
  }

  private checkName(stem: string): void {
    if (!SAFE_NAME.test(stem)) {
      throw new SluiceError('E_INVALID_ARGUMENT', `MultiFileSink: stem name "${stem}" is not a plain word (letters, digits, _ and -)`);
    }
  }
}
