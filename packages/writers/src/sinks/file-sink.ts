import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type AudioChunk,
  type AudioFormat,
  type SampleFormat,
  type Sink,
  SluiceError,
  bytesPerSample,
  encodePcm,
  stemPlanes,
} from '@sluice/core';
import { FfmpegStreamWriter } from '../encode/ffmpeg-writer';
import { type EncodeOptions, CONTAINERS, type Container, containerFromPath, validateEncodeOptions } from '../encode/containers';
import { assertNotAnInput } from '../files/output-guard';
import { TemporaryFile } from '../files/temporary-file';
import { UNKNOWN_SIZE, type WavLayout, wavHeader, wavSizeOffsets } from '../wav/header';

/** Options for {@link FileSink}. */
export interface FileSinkOptions extends EncodeOptions {
  /** The container to write; by default taken from the file extension. */
  container?: Container;
  /** Write this stem of each chunk instead of the mix (like mlx-audio's `stem_index`). */
  stem?: string;
  /** Stops the encoder when aborted. */
  signal?: AbortSignal;
  /**
   * What an aborted or failed stream leaves behind. By default nothing: the
   * file is written under a temporary name and moved into place only when the
   * stream completes, so the final name never holds a partial file. With
   * `keepPartial: true` an abort finishes the file with what was written so
   * far (playable: headers fixed, encoder flushed) and moves it into place.
   */
  keepPartial?: boolean;
  /** Input files this output must not be (checked by device and inode, besides the files any FileSource is reading). */
  inputs?: readonly string[];
}

function ioError(error: unknown, path: string, what: string): SluiceError {
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === 'EACCES' || code === 'EROFS' || code === 'EPERM'
      ? ' (the directory is not writable)'
      : code === 'ENOSPC'
        ? ' (the disk is full)'
        : '';
  return SluiceError.wrap(error, 'E_IO', `FileSink: cannot ${what} ${path}${hint}`);
}

/** Writes WAV or raw PCM to a file in TypeScript and fixes the header on close (RIFF → RF64 past 4 GiB). */
class PcmFileWriter {
  private handle: FileHandle | undefined;
  private dataBytes = 0;
  /** Encoded bytes not yet written: writes are coalesced into ~1 MiB (one syscall instead of hundreds). */
  private buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private flushedBytes = 0;
  private headerBytes = 0;
  private layout: WavLayout | undefined;

  constructor(
    private readonly path: string,
    private readonly shownPath: string,
    private readonly container: 'wav' | 'pcm',
    private readonly sampleFormat: SampleFormat,
  ) {}

  async open(format: AudioFormat): Promise<void> {
    this.layout = { sampleRate: format.sampleRate, channels: format.channels, sampleFormat: this.sampleFormat };
    try {
      this.handle = await open(this.path, 'w');
    } catch (error) {
      throw ioError(error, this.shownPath, 'create');
    }
    if (this.container === 'wav') {
      const header = wavHeader(this.layout, { reserveRf64: true, dataBytes: 0 });
      this.headerBytes = header.length;
      await this.writeAt(header, 0);
    }
  }

  async write(planes: readonly Float32Array[]): Promise<void> {
    const bytes = encodePcm(planes, this.sampleFormat);
    this.buffered.push(bytes);
    this.bufferedBytes += bytes.length;
    this.dataBytes += bytes.length;
    if (this.bufferedBytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.bufferedBytes === 0) return;
    const joined = Buffer.concat(this.buffered, this.bufferedBytes);
    this.buffered = [];
    this.bufferedBytes = 0;
    await this.writeAt(joined, this.headerBytes + this.flushedBytes);
    this.flushedBytes += joined.length;
  }

  /** Rewrites the sizes (so the file is valid even after an abort) and closes. */
  async close(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) return;
    try {
      await this.flush();
      this.handle = undefined;
      if (this.container === 'wav' && this.layout !== undefined) await this.fixHeader(handle);
    } finally {
      await handle.close();
    }
  }

  private async fixHeader(handle: FileHandle): Promise<void> {
    const layout = this.layout as WavLayout;
    const offsets = wavSizeOffsets(layout, true);
    const riffSize = this.headerBytes - 8 + this.dataBytes + (this.dataBytes % 2);
    if (this.dataBytes % 2 === 1) await handle.write(new Uint8Array(1), 0, 1, this.headerBytes + this.dataBytes);
    const u32 = (value: number) => {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, value, true);
      return bytes;
    };
    if (riffSize <= UNKNOWN_SIZE - 1) {
      await handle.write(u32(riffSize), 0, 4, offsets.riff);
      await handle.write(u32(this.dataBytes), 0, 4, offsets.data);
      return;
    }
    // RF64: the reserved JUNK chunk becomes ds64 with 64-bit sizes; the 32-bit fields say "see ds64".
    const ds64 = new Uint8Array(36);
    const view = new DataView(ds64.buffer);
    ds64.set([0x64, 0x73, 0x36, 0x34]); // "ds64"
    view.setUint32(4, 28, true);
    view.setBigUint64(8, BigInt(riffSize), true);
    view.setBigUint64(16, BigInt(this.dataBytes), true);
    const frames = this.dataBytes / (layout.channels * bytesPerSample(this.sampleFormat));
    view.setBigUint64(24, BigInt(Math.floor(frames)), true);
    await handle.write(new Uint8Array([0x52, 0x46, 0x36, 0x34]), 0, 4, 0); // "RF64"
    await handle.write(u32(UNKNOWN_SIZE), 0, 4, 4);
    await handle.write(ds64, 0, ds64.length, offsets.junk as number);
    await handle.write(u32(UNKNOWN_SIZE), 0, 4, offsets.data);
  }

  private async writeAt(bytes: Uint8Array, position: number): Promise<void> {
    try {
      await (this.handle as FileHandle).write(bytes, 0, bytes.length, position);
    } catch (error) {
      throw ioError(error, this.shownPath, 'write');
    }
  }
}

/**
 * Writes a stream to a file in any container (by default the one the
 * extension names). WAV and PCM are written in TypeScript; the other
 * containers by one ffmpeg process that owns the file, so headers that need
 * the final length are right (WAV sizes, MP3 Xing/Info, FLAC STREAMINFO,
 * M4A index). The file is written under a temporary name beside the target
 * and renamed when the stream completes; an output that is one of the inputs
 * is refused before anything is written. See
 * {@link FileSinkOptions.keepPartial} for what an abort leaves.
 */
export class FileSink implements Sink {
  readonly name: string;
  /** The container written. */
  readonly container: Container;
  private pcm: PcmFileWriter | undefined;
  private encoder: FfmpegStreamWriter | undefined;
  private file: TemporaryFile | undefined;
  private finished = false;

  constructor(
    readonly path: string,
    private readonly options: FileSinkOptions = {},
  ) {
    const container = options.container ?? containerFromPath(path);
    if (container === undefined) {
      throw new SluiceError(
        'E_UNSUPPORTED',
        `FileSink: cannot tell the container of "${path}" from its extension (known: ${CONTAINERS.join(', ')}); pass { container }`,
      );
    }
    validateEncodeOptions(container, options);
    this.container = container;
    this.name = `file-sink(${path})`;
  }

  async open(format: AudioFormat): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true }).catch((error: unknown) => {
      throw ioError(error, this.path, 'create the directory of');
    });
    await assertNotAnInput(this.path, this.options.inputs);
    const file = new TemporaryFile(this.path);
    this.file = file;
    try {
      if (this.container === 'wav' || this.container === 'pcm') {
        this.pcm = new PcmFileWriter(file.path, this.path, this.container, this.options.sampleFormat ?? 's16le');
        await this.pcm.open(format);
      } else {
        // ffmpeg reports an unwritable path only at its first write; check it now for a clear error.
        const probe = await open(file.path, 'w').catch((error: unknown) => {
          throw ioError(error, this.path, 'create');
        });
        await probe.close();
        this.encoder = new FfmpegStreamWriter(this.container, format, this.options, { kind: 'file', path: file.path });
        await this.encoder.start();
      }
    } catch (error) {
      this.finished = true;
      await this.encoder?.abort().catch(() => {});
      await file.discard();
      throw error;
    }
  }

  async write(chunk: AudioChunk): Promise<void> {
    const planes = this.options.stem === undefined ? chunk.planes : stemPlanes(chunk, this.options.stem);
    if (planes === undefined) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `FileSink: chunk ${chunk.seq} has no stem "${this.options.stem}" (it has ${Object.keys(chunk.stems ?? {}).join(', ') || 'no stems'})`,
      );
    }
    if (this.pcm) await this.pcm.write(planes);
    else await this.encoder?.write(planes);
  }

  /** Finishes the file and moves it to its final name. */
  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.pcm?.close();
      await this.encoder?.finalize();
    } catch (error) {
      await this.file?.discard();
      throw error;
    }
    await this.file?.commit();
  }

  /** Stops: removes the partial file, or with `keepPartial` finishes it playable and moves it into place. */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (this.options.keepPartial) {
      await this.pcm?.close();
      await this.encoder?.endGracefully();
      await this.file?.commit();
      return;
    }
    await this.pcm?.close().catch(() => {});
    await this.encoder?.abort().catch(() => {});
    await this.file?.discard();
  }
}
