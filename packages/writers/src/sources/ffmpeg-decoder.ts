import { type AudioChunk, type AudioFormat, PcmDecoder, SluiceError } from '@sluice/core';
import { FfmpegProcess, lastMeaningfulLine } from '../ffmpeg/process';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { type StreamInfo, StreamInfoReader } from '../ffmpeg/stream-info';

/** Options for {@link FfmpegDecoder}. */
export interface DecodeOptions {
  /** Resample to this rate (default: the input's). */
  sampleRate?: number;
  /** Remix to this many channels (default: the input's). */
  channels?: number;
  /** Frames per chunk (default 4096). */
  chunkFrames?: number;
  /** Stops decoding (the process is killed). */
  signal?: AbortSignal;
  /**
   * What to do when ffmpeg reports damaged input (a truncated or corrupt
   * file): `throw` (default) fails after the audio decoded so far with
   * `E_DECODE` carrying ffmpeg's reason; `ignore` keeps whatever decodes.
   */
  onDecodeError?: 'throw' | 'ignore';
}

/** Fails when fewer frames were decoded than the container declared (a truncated file). */
export function checkDeclaredLength(label: string, decodedFrames: number, declaredSeconds: number | undefined, sampleRate: number): void {
  if (declaredSeconds === undefined || !Number.isFinite(declaredSeconds) || declaredSeconds <= 0) return;
  const decodedSeconds = decodedFrames / sampleRate;
  const tolerance = Math.max(0.1, declaredSeconds * 0.01);
  if (decodedSeconds < declaredSeconds - tolerance) {
    throw new SluiceError(
      'E_DECODE',
      `${label} is truncated: its header declares ${declaredSeconds.toFixed(2)} s but only ${decodedSeconds.toFixed(2)} s decode; pass { onDecodeError: 'ignore' } to keep the part that decodes`,
      { details: { declaredSeconds, decodedSeconds } },
    );
  }
}

/**
 * Lines that mean the input is damaged: messages of a demuxer or decoder
 * (`[mp3float @ 0x…] Header missing`) or ffmpeg's own decode errors. Only
 * tagged lines count, so a file *named* "corrupt.mp3" is not damage. The MP3
 * decoder's "overread, skip … enddists" is not counted: ffmpeg logs it at
 * info level for valid LAME streams (speech at 24 kHz shows it), and a
 * truncated MP3 does not produce it (truncation is caught by length).
 */
const DAMAGE =
  /^(\[[^\]]+ @ [^\]]+\] .*(header missing|invalid data found|error (while )?decoding|corrupt|invalid frame|invalid block|illegal)|Error while decoding)/i;

/**
 * One ffmpeg decoding process: input from a path or from bytes we pipe in,
 * raw float32 out, cut into chunks. The stream description ffmpeg prints is
 * parsed so the format can be known before the first chunk.
 */
export class FfmpegDecoder {
  private process: FfmpegProcess | undefined;
  private readonly reader = new StreamInfoReader();
  private readonly damage: string[] = [];
  private infoWaiters: ((info: StreamInfo | undefined) => void)[] = [];
  /** close() was called: the chunks still to be cut are dropped and iteration ends. */
  private closed = false;

  constructor(
    private readonly input: { path: string } | { bytes: AsyncIterable<Uint8Array> },
    private readonly options: DecodeOptions,
    private readonly label: string,
  ) {}

  /** Starts ffmpeg and resolves with the input's stream description (E_DECODE if it has no audio). */
  async start(): Promise<StreamInfo> {
    const binary = await resolveFfmpeg();
    const { sampleRate, channels } = this.options;
    const args = [
      '-i',
      'path' in this.input ? this.input.path : 'pipe:0',
      '-vn',
      '-map',
      '0:a:0',
      ...(channels ? ['-ac', String(channels)] : []),
      ...(sampleRate ? ['-ar', String(sampleRate)] : []),
      // A file is read as fast as it decodes: let ffmpeg fill its 32 KiB output buffer before each write (a third
      // of the writes and reads of one per packet; 10 minutes of mp3: 790 → 700 ms). Bytes piped in may be a live
      // stream, where each packet goes out as soon as it is decoded.
      ...('path' in this.input ? ['-flush_packets', '0'] : []),
      '-f',
      'f32le',
      'pipe:1',
    ];
    const process = new FfmpegProcess(binary.path, args, {
      purpose: `decoding ${this.label}`,
      stdin: !('path' in this.input),
      onLine: (line) => {
        if (this.reader.line(line)) this.resolveInfo(this.reader.info);
        if (DAMAGE.test(line)) this.damage.push(line.trim());
      },
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    this.process = process;
    if (!('path' in this.input)) void this.feed(process, this.input.bytes);
    void process.closed.then(() => this.resolveInfo(this.reader.info));
    const info = await new Promise<StreamInfo | undefined>((resolve) => {
      if (this.reader.info) resolve(this.reader.info);
      else this.infoWaiters.push(resolve);
    });
    if (info === undefined) {
      await process.kill();
      const reason = lastMeaningfulLine(process.stderr) || 'no audio stream found';
      throw new SluiceError('E_DECODE', `Cannot decode ${this.label}: ${reason}`, { details: { stderr: process.stderr } });
    }
    return info;
  }

  /** Decoded chunks in `format` (the last one final); fails with E_DECODE on damaged input unless told to ignore it. */
  async *chunks(format: AudioFormat, declaredSeconds?: number): AsyncGenerator<AudioChunk> {
    const process = this.process;
    if (process === undefined) throw new SluiceError('E_INTERNAL', 'FfmpegDecoder: start() first');
    const decoder = new PcmDecoder({ format, sampleFormat: 'f32le', chunkFrames: this.options.chunkFrames ?? 4096, trailingBytes: 'drop' });
    let pending: AudioChunk | undefined;
    try {
      for await (const data of process.output()) {
        for (const chunk of decoder.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))) {
          if (pending) yield pending;
          if (this.closed) return;
          pending = chunk;
        }
      }
      // Killed by close(): the end of the output is where we stopped, not a failure to report.
      if (this.closed) return;
      await process.finished(
        (stderr) => new SluiceError('E_DECODE', `Cannot decode ${this.label}: ${lastMeaningfulLine(stderr)}`, { details: { stderr } }),
      );
      if (this.damage.length > 0 && (this.options.onDecodeError ?? 'throw') === 'throw') {
        throw new SluiceError(
          'E_DECODE',
          `${this.label} is damaged: ${this.damage.at(-1)}; pass { onDecodeError: 'ignore' } to keep the part that decodes`,
          { details: { ffmpeg: this.damage.slice(-5) } },
        );
      }
      const last = decoder.end();
      if ((this.options.onDecodeError ?? 'throw') === 'throw') {
        checkDeclaredLength(
          this.label,
          (pending ? pending.startFrame + pending.frames : 0) + last.frames,
          declaredSeconds,
          format.sampleRate,
        );
      }
      if (pending) yield pending;
      if (this.closed) return;
      yield last;
    } finally {
      await process.kill();
    }
  }

  /** Kills the process; iteration ends at the next pull. */
  async close(): Promise<void> {
    this.closed = true;
    await this.process?.kill();
  }

  private resolveInfo(info: StreamInfo | undefined): void {
    const waiters = this.infoWaiters;
    this.infoWaiters = [];
    for (const resolve of waiters) resolve(info);
  }

  private async feed(process: FfmpegProcess, bytes: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const piece of bytes) await process.write(piece);
    } catch {
      // ffmpeg exited (its status explains why) or the input stream failed: stop feeding.
    } finally {
      process.endInput();
    }
  }
}
