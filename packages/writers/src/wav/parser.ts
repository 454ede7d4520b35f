import { type AudioChunk, PcmDecoder, type SampleFormat, SluiceError, bytesPerSample, validateFormat } from '@sluice/core';
import { type WavLayout, UNKNOWN_SIZE, sampleFormatOf } from './header';

/** What the parser learned from the header. */
export interface WavInfo extends WavLayout {
  /** Bytes of sample data the header declares, or undefined when unknown (stream). */
  dataBytes: number | undefined;
  /** Frames the header declares, or undefined. */
  frames: number | undefined;
}

/**
 * An incremental WAV (RIFF / RF64) parser: push bytes in any pieces, get
 * AudioChunks of `chunkFrames`. Handles PCM 8/16/24/32, float 32/64,
 * WAVE_FORMAT_EXTENSIBLE, skipped chunks, and size fields of 0 or
 * 0xFFFFFFFF (streams). A file cut off at any byte decodes up to the last
 * whole frame.
 */
export class WavParser {
  private head = new Uint8Array(0);
  private info: WavInfo | undefined;
  private decoder: PcmDecoder | undefined;
  private remaining = Number.POSITIVE_INFINITY;
  private ds64Data: number | undefined;

  constructor(private readonly options: { chunkFrames?: number; name?: string } = {}) {}

  /** The header, once parsed. */
  get header(): WavInfo | undefined {
    return this.info;
  }

  /** Feeds bytes; returns finished chunks. */
  push(bytes: Uint8Array): AudioChunk[] {
    if (this.decoder === undefined) {
      const joined = new Uint8Array(this.head.length + bytes.length);
      joined.set(this.head);
      joined.set(bytes, this.head.length);
      this.head = joined;
      const start = this.parseHeader();
      if (start === undefined) return [];
      const rest = this.head.subarray(start);
      this.head = new Uint8Array(0);
      return this.take(rest);
    }
    return this.take(bytes);
  }

  /** Ends the stream: the last (final) chunk. Throws `E_DECODE` if no complete header arrived. */
  end(): AudioChunk {
    if (this.decoder === undefined) {
      throw new SluiceError(
        'E_DECODE',
        this.head.length === 0
          ? `${this.name}: the file is empty`
          : `${this.name}: not a WAV file, or the header is cut off (${this.head.length} bytes)`,
      );
    }
    return this.decoder.end();
  }

  private get name(): string {
    return this.options.name ?? 'WAV';
  }

  private take(bytes: Uint8Array): AudioChunk[] {
    if (this.remaining <= 0) return [];
    const usable = bytes.length > this.remaining ? bytes.subarray(0, this.remaining) : bytes;
    this.remaining -= usable.length;
    return (this.decoder as PcmDecoder).push(usable);
  }

  /** Parses as far as it can; returns the offset of the sample data once the header is complete. */
  private parseHeader(): number | undefined {
    const bytes = this.head;
    if (bytes.length < 12) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
    const riff = tag(0);
    if ((riff !== 'RIFF' && riff !== 'RF64') || tag(8) !== 'WAVE') {
      throw new SluiceError(
        'E_DECODE',
        `${this.name}: not a WAV file (starts with "${riff.replace(/[^\x20-\x7e]/g, '?')}", expected RIFF…WAVE)`,
      );
    }
    let offset = 12;
    let layout: WavLayout | undefined;
    while (offset + 8 <= bytes.length) {
      const id = tag(offset);
      const size = view.getUint32(offset + 4, true);
      if (id === 'data') {
        if (layout === undefined) throw new SluiceError('E_DECODE', `${this.name}: data chunk before the fmt chunk`);
        let dataBytes: number | undefined = size === UNKNOWN_SIZE || size === 0 ? undefined : size;
        if (riff === 'RF64' && size === UNKNOWN_SIZE) dataBytes = this.ds64Data;
        const frameBytes = layout.channels * bytesPerSample(layout.sampleFormat);
        this.info = { ...layout, dataBytes, frames: dataBytes === undefined ? undefined : Math.floor(dataBytes / frameBytes) };
        this.remaining = dataBytes ?? Number.POSITIVE_INFINITY;
        this.decoder = new PcmDecoder({
          format: validateFormat({ sampleRate: layout.sampleRate, channels: layout.channels }, this.name),
          sampleFormat: layout.sampleFormat,
          chunkFrames: this.options.chunkFrames ?? 4096,
          trailingBytes: 'drop',
        });
        return offset + 8;
      }
      const padded = size + (size % 2);
      if (offset + 8 + padded > bytes.length) return undefined;
      if (id === 'fmt ') layout = this.parseFmt(view, offset + 8, size);
      if (id === 'ds64' && size >= 16)
        this.ds64Data = view.getUint32(offset + 8 + 8, true) + view.getUint32(offset + 8 + 12, true) * 2 ** 32;
      offset += 8 + padded;
      if (offset > 1 << 20) throw new SluiceError('E_DECODE', `${this.name}: no data chunk in the first MiB`);
    }
    return undefined;
  }

  private parseFmt(view: DataView, at: number, size: number): WavLayout {
    if (size < 16) throw new SluiceError('E_DECODE', `${this.name}: fmt chunk of ${size} bytes is too short`);
    let formatTag = view.getUint16(at, true);
    const channels = view.getUint16(at + 2, true);
    const sampleRate = view.getUint32(at + 4, true);
    const bits = view.getUint16(at + 14, true);
    if (formatTag === 0xfffe && size >= 26) formatTag = view.getUint16(at + 24, true);
    const sampleFormat: SampleFormat = sampleFormatOf(formatTag, bits);
    validateFormat({ sampleRate, channels }, `${this.name} header`);
    return { sampleRate, channels, sampleFormat };
  }
}
