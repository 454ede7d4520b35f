import { type AudioChunk, type Planes, encodePcm } from '@sluice/core';
import { FfmpegProcess } from '../ffmpeg/process';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { type EncodeOptions, type Container, ffmpegOutputArgs, mimeTypeOf, rawInputArgs } from './containers';
import { type StreamingAudioWriter, concatBytes, planesToWrite } from './writer';

/** Where an ffmpeg encoder writes: a pipe we read (stream) or a file ffmpeg owns (so it can rewrite headers). */
export type FfmpegTarget = { kind: 'stream' } | { kind: 'file'; path: string };

/**
 * Encodes through one long-lived ffmpeg process: raw float32 PCM in on
 * stdin (writes wait for the pipe to drain), encoded bytes out on stdout,
 * read continuously in the background so neither side can deadlock. With a
 * file target, ffmpeg writes the file itself and so fixes up what only a
 * seekable file allows (MP3 Xing/Info frame, FLAC STREAMINFO with total
 * samples and MD5, the M4A index).
 */
export class FfmpegStreamWriter implements StreamingAudioWriter {
  readonly mimeType: string;
  framesWritten = 0;
  bytesOut = 0;
  private process: FfmpegProcess | undefined;
  private starting: Promise<FfmpegProcess> | undefined;
  private pending: Uint8Array[] = [];
  private reading: Promise<void> | undefined;
  private done = false;

  constructor(
    readonly container: Container,
    private readonly layout: { sampleRate: number; channels: number },
    private readonly options: EncodeOptions & { signal?: AbortSignal },
    private readonly target: FfmpegTarget = { kind: 'stream' },
  ) {
    this.mimeType = mimeTypeOf(container);
    // Fail on bad options now, not at the first write.
    ffmpegOutputArgs(container, options, target.kind);
  }

  /** The ffmpeg process (started on the first write). */
  async start(): Promise<FfmpegProcess> {
    this.starting ??= resolveFfmpeg().then((binary) => {
      const output = this.target.kind === 'file' ? ['-y', this.target.path] : ['pipe:1'];
      const process = new FfmpegProcess(
        binary.path,
        [
          ...rawInputArgs(this.layout.sampleRate, this.layout.channels),
          ...ffmpegOutputArgs(this.container, this.options, this.target.kind),
          ...output,
        ],
        { purpose: `encoding ${this.container}`, ...(this.options.signal ? { signal: this.options.signal } : {}) },
      );
      this.process = process;
      this.reading = (async () => {
        for await (const data of process.output()) this.pending.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      })();
      return process;
    });
    return this.starting;
  }

  async write(input: AudioChunk | Planes): Promise<Uint8Array> {
    const planes = planesToWrite(this, input, this.layout.channels, this.done);
    const process = await this.start();
    if ((planes[0]?.length ?? 0) > 0) {
      try {
        await process.write(encodePcm(planes, 'f32le'));
      } catch (error) {
        // ffmpeg went away: its exit status and stderr say why better than EPIPE does.
        await process.kill();
        await process.finished();
        throw error;
      }
    }
    this.framesWritten += planes[0]?.length ?? 0;
    return this.drain();
  }

  async finalize(): Promise<Uint8Array> {
    if (this.done) return new Uint8Array(0);
    this.done = true;
    const process = await this.start();
    process.endInput();
    await this.reading;
    await process.finished();
    return this.drain();
  }

  async abort(): Promise<void> {
    this.done = true;
    await this.process?.kill();
  }

  /**
   * Ends the input but lets ffmpeg finish what it has, so a file target is
   * left playable with everything written so far.
   */
  async endGracefully(): Promise<void> {
    this.done = true;
    if (this.process === undefined) return;
    this.process.endInput();
    const timer = setTimeout(() => void this.process?.kill(), 10_000);
    await this.reading?.catch(() => {});
    await this.process.closed;
    clearTimeout(timer);
  }

  private drain(): Uint8Array {
    if (this.pending.length === 0) return new Uint8Array(0);
    const out = concatBytes(this.pending);
    this.pending = [];
    this.bytesOut += out.length;
    return out;
  }
}
