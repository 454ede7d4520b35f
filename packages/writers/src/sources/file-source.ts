import { createReadStream } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import { type AudioChunk, type AudioFormat, type Source, SluiceError, abortError, validateFormat } from '@sluice/core';
import { markReading } from '../files/output-guard';
import { probe } from '../probe/probe';
import { WavParser } from '../wav/parser';
import { type DecodeOptions, FfmpegDecoder, checkDeclaredLength } from './ffmpeg-decoder';

/** Options for {@link FileSource}. */
export type FileSourceOptions = DecodeOptions;

async function isWav(path: string): Promise<boolean> {
  const handle = await openFile(path, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, 12, 0);
    const riff = head.toString('latin1', 0, 4);
    return bytesRead === 12 && (riff === 'RIFF' || riff === 'RF64') && head.toString('latin1', 8, 12) === 'WAVE';
  } finally {
    await handle.close();
  }
}

/**
 * Decodes an audio file into chunks, like mlx-audio's
 * `FileSource("song.mp3", sample_rate=44100)`. Any format ffmpeg reads; WAV
 * is parsed in TypeScript (no process) unless a rate or channel change is
 * asked for. Resamples and remixes on request. Memory: one chunk plus pipe
 * buffers, whatever the file length.
 *
 * `await FileSource.open(path)` finds the file's own rate and channels;
 * `new FileSource(path, { sampleRate, channels })` decodes to the ones given.
 */
export class FileSource implements Source {
  readonly format: AudioFormat;
  readonly name: string;
  private decoder: FfmpegDecoder | undefined;
  private readonly wav: boolean;
  /** close() was called: iteration ends at the next pull. */
  private closed = false;
  /** Ends this source's entry among the files being read (see assertNotAnInput). */
  private readonly doneReading: () => void;

  constructor(
    readonly path: string,
    private readonly options: FileSourceOptions & { sampleRate: number; channels: number; wav?: boolean; declaredSeconds?: number },
  ) {
    this.format = validateFormat({ sampleRate: options.sampleRate, channels: options.channels }, `FileSource(${path})`);
    this.name = `file(${path})`;
    this.wav = options.wav ?? false;
    // While this source may still read the file, no FileSink in this process writes over it.
    this.doneReading = markReading(path);
  }

  /** Opens a file, learning its rate and channels unless they are given. Throws `E_IO` or `E_DECODE`. */
  static async open(path: string, options: FileSourceOptions = {}): Promise<FileSource> {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      throw SluiceError.wrap(error, 'E_IO', `FileSource: cannot read ${path}`);
    }
    if (size === 0) throw new SluiceError('E_DECODE', `FileSource: ${path} is empty`);
    const wav = await isWav(path);
    if (wav) {
      const header = await readWavHeader(path);
      const native = options.sampleRate === undefined || options.sampleRate === header.sampleRate;
      const sameChannels = options.channels === undefined || options.channels === header.channels;
      return new FileSource(path, {
        ...options,
        sampleRate: options.sampleRate ?? header.sampleRate,
        channels: options.channels ?? header.channels,
        wav: native && sameChannels,
        ...(header.frames !== undefined ? { declaredSeconds: header.frames / header.sampleRate } : {}),
      });
    }
    const info = await probe(path);
    return new FileSource(path, {
      ...options,
      sampleRate: options.sampleRate ?? info.sampleRate,
      channels: options.channels ?? info.channels,
      // The duration the container declares, to notice a truncated file (a Xing frame, STREAMINFO…).
      ...(info.via === 'music-metadata' ? { declaredSeconds: info.durationSeconds } : {}),
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    try {
      yield* this.decode();
    } finally {
      this.doneReading();
    }
  }

  /** Stops reading (the decoding process, if any, is killed); iteration ends at the next pull. */
  async close(): Promise<void> {
    this.closed = true;
    this.doneReading();
    await this.decoder?.close();
  }

  private async *decode(): AsyncGenerator<AudioChunk> {
    if (this.wav) {
      yield* this.readWav();
      return;
    }
    const decoder = new FfmpegDecoder(
      { path: this.path },
      { ...this.options, sampleRate: this.format.sampleRate, channels: this.format.channels },
      this.path,
    );
    this.decoder = decoder;
    try {
      await decoder.start();
      yield* decoder.chunks(this.format, this.options.declaredSeconds);
    } finally {
      await decoder.close();
    }
  }

  private async *readWav(): AsyncGenerator<AudioChunk> {
    const parser = new WavParser({ chunkFrames: this.options.chunkFrames ?? 4096, name: this.path });
    const stream = createReadStream(this.path, { highWaterMark: 256 * 1024 });
    const signal = this.options.signal;
    let pending: AudioChunk | undefined;
    try {
      for await (const data of stream) {
        if (signal?.aborted) throw abortError(signal, `reading ${this.path}`);
        for (const chunk of parser.push(data as Buffer)) {
          if (pending) yield pending;
          if (this.closed) return;
          pending = chunk;
        }
      }
    } catch (error) {
      throw SluiceError.wrap(error, 'E_IO', `FileSource: reading ${this.path} failed`);
    } finally {
      stream.destroy();
    }
    const last = parser.end();
    if ((this.options.onDecodeError ?? 'throw') === 'throw') {
      checkDeclaredLength(
        this.path,
        (pending ? pending.startFrame + pending.frames : 0) + last.frames,
        this.options.declaredSeconds,
        this.format.sampleRate,
      );
    }
    if (pending) yield pending;
    if (this.closed) return;
    yield last;
  }
}

async function readWavHeader(path: string) {
  const handle = await openFile(path, 'r');
  try {
    const parser = new WavParser({ name: path });
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    parser.push(head.subarray(0, bytesRead));
    if (parser.header === undefined) throw new SluiceError('E_DECODE', `FileSource: ${path} has no complete WAV header`);
    return parser.header;
  } finally {
    await handle.close();
  }
}
