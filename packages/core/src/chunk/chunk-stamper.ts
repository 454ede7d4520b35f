import { type AudioChunk, type ChunkMeta, type Planes, type Stems, makeChunk } from './audio-chunk';
import type { AudioFormat } from '../format/audio-format';

/**
 * Numbers the chunks of one output stream: assigns `seq` (0, 1, 2…) and
 * `startFrame` (running frame count) so that sources and processors never get
 * them wrong. One stamper per stream; `reset()` between streams.
 */
export class ChunkStamper {
  private nextSeq = 0;
  private nextFrame = 0;

  constructor(readonly format: AudioFormat) {}

  /** Sequence number the next chunk will get. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Frames stamped so far. */
  get frames(): number {
    return this.nextFrame;
  }

  /** Builds the next chunk of the stream from `planes`. */
  stamp(planes: Planes, final = false, stems?: Stems, meta?: ChunkMeta): AudioChunk {
    const frames = planes[0]?.length ?? 0;
    const chunk = makeChunk(this.format, planes, frames, this.nextSeq, this.nextFrame, final, stems, meta);
    this.nextSeq += 1;
    this.nextFrame += frames;
    return chunk;
  }

  /** Re-stamps an existing chunk as the next one of this stream, copying nothing if it already fits. */
  restamp(chunk: AudioChunk, final: boolean): AudioChunk {
    const fits = chunk.seq === this.nextSeq && chunk.startFrame === this.nextFrame && chunk.final === final;
    const out = fits
      ? chunk
      : makeChunk(chunk.format, chunk.planes, chunk.frames, this.nextSeq, this.nextFrame, final, chunk.stems, chunk.meta);
    this.nextSeq += 1;
    this.nextFrame += chunk.frames;
    return out;
  }

  /** Starts a new stream. */
  reset(): void {
    this.nextSeq = 0;
    this.nextFrame = 0;
  }
}
