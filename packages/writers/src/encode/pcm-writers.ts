import { type AudioChunk, type Planes, type SampleFormat, SluiceError, encodePcm } from '@sluice/core';
import { wavHeader } from '../wav/header';
import { mimeTypeOf } from './containers';
import { type StreamingAudioWriter, planesOf } from './writer';

/**
 * WAV or raw PCM, written in TypeScript (no process). A WAV stream starts
 * with a header whose sizes say "unknown" (0xFFFFFFFF), which browsers and
 * ffmpeg read as "until the end"; FileSink rewrites them when the target can seek.
 */
export class PcmStreamWriter implements StreamingAudioWriter {
  readonly mimeType: string;
  framesWritten = 0;
  bytesOut = 0;
  private headerSent = false;
  private done = false;

  constructor(
    readonly container: 'wav' | 'pcm',
    private readonly layout: { sampleRate: number; channels: number; sampleFormat: SampleFormat },
  ) {
    this.mimeType =
      container === 'pcm'
        ? `audio/pcm;rate=${layout.sampleRate};channels=${layout.channels};format=${layout.sampleFormat}`
        : mimeTypeOf('wav');
  }

  /** The header of this stream (empty for raw PCM). */
  header(): Uint8Array {
    return this.container === 'wav' ? wavHeader(this.layout) : new Uint8Array(0);
  }

  /** Encodes synchronously (the async `write` wraps this). */
  encode(input: AudioChunk | Planes): Uint8Array {
    if (this.done) throw new SluiceError('E_CLOSED', `${this.container} writer: write after finalize`);
    const planes = planesOf(input);
    if (planes.length !== this.layout.channels) {
      throw new SluiceError(
        'E_FORMAT',
        `${this.container} writer: ${planes.length} channel(s) written to a ${this.layout.channels}-channel stream`,
      );
    }
    const body = encodePcm(planes, this.layout.sampleFormat);
    this.framesWritten += planes[0]?.length ?? 0;
    let out = body;
    if (!this.headerSent) {
      this.headerSent = true;
      const header = this.header();
      if (header.length > 0) {
        out = new Uint8Array(header.length + body.length);
        out.set(header);
        out.set(body, header.length);
      }
    }
    this.bytesOut += out.length;
    return out;
  }

  async write(input: AudioChunk | Planes): Promise<Uint8Array> {
    return this.encode(input);
  }

  async finalize(): Promise<Uint8Array> {
    if (this.done) return new Uint8Array(0);
    const rest = this.headerSent ? new Uint8Array(0) : this.header();
    this.headerSent = true;
    this.done = true;
    this.bytesOut += rest.length;
    return rest;
  }

  async abort(): Promise<void> {
    this.done = true;
  }
}
