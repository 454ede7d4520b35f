import { randomUUID } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../errors/sluice-error';
import { ChannelBase } from './channel-base';
import { decodeChunkRecord, encodeChunkRecord } from './chunk-codec';
import type { ChannelChunk, ChannelConfig } from './types';

/** Options for {@link FileChannel}. */
export interface FileChannelConfig extends ChannelConfig {
  /** The spool file (default: a new file in the OS temp directory, removed when the stream ends). */
  path?: string;
  /** Keep the spool file after the stream ends (default: only when `path` was given). */
  keepFile?: boolean;
}

/**
 * A channel whose buffer lives in a file, for streams whose backlog does not
 * fit in memory: a fast producer can run far ahead of a slow consumer while
 * the process holds one record at a time. Budget defaults to 1 GiB on disk.
 * When the consumer catches up, writing starts over at the top of the file,
 * so it does not grow with the length of the stream, only with the backlog.
 */
export class FileChannel<T extends ChannelChunk = ChannelChunk> extends ChannelBase<T> {
  /** Where the records are spooled. */
  readonly path: string;
  private readonly keepFile: boolean;
  private handle: Promise<FileHandle> | undefined;
  private writeOffset = 0;
  private readOffset = 0;
  private disposed = false;

  constructor(id: string, config: FileChannelConfig = {}) {
    super(id, config, 1024 * 1024 * 1024);
    this.path = config.path ?? join(tmpdir(), `sluice-channel-${randomUUID()}.spool`);
    this.keepFile = config.keepFile ?? config.path !== undefined;
  }

  private file(): Promise<FileHandle> {
    if (this.disposed) return Promise.reject(new SluiceError('E_CLOSED', `File channel "${this.id}" is closed`));
    this.handle ??= open(this.path, 'w+').catch((error: unknown) => {
      throw SluiceError.wrap(error, 'E_IO', `File channel "${this.id}": cannot open ${this.path}`);
    });
    return this.handle;
  }

  protected async store(piece: T): Promise<void> {
    const record = encodeChunkRecord(piece);
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, record.length, true);
    const file = await this.file();
    if (this.readOffset === this.writeOffset) {
      // Everything written has been read: start over at the top of the file, so it
      // only ever holds the backlog. (Stores are serialised; a load only runs while
      // readOffset < writeOffset, so nothing is being read here.)
      this.readOffset = 0;
      this.writeOffset = 0;
    }
    const at = this.writeOffset;
    this.writeOffset += 4 + record.length;
    try {
      await file.writev([prefix, record], at);
    } catch (error) {
      throw SluiceError.wrap(error, 'E_IO', `File channel "${this.id}": write to ${this.path} failed`);
    }
  }

  protected async load(): Promise<T> {
    const file = await this.file();
    const prefix = new Uint8Array(4);
    await file.read(prefix, 0, 4, this.readOffset);
    const length = new DataView(prefix.buffer).getUint32(0, true);
    const record = new Uint8Array(length);
    const { bytesRead } = await file.read(record, 0, length, this.readOffset + 4);
    if (bytesRead !== length) throw new SluiceError('E_IO', `File channel "${this.id}": ${this.path} was truncated by someone else`);
    this.readOffset += 4 + length;
    return decodeChunkRecord(record) as T;
  }

  protected override async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) await (await handle.catch(() => undefined))?.close();
    if (!this.keepFile) await rm(this.path, { force: true });
  }
}
