import { type AudioChunk, makeChunk } from '../chunk/audio-chunk';
import type { ByteChunk } from '../chunk/byte-chunk';
import { isByteChunk } from '../chunk/byte-chunk';
import type { ChannelChunk } from './types';

/** Bytes a chunk occupies: its data, or frames × channels × 4 for audio and each stem. */
export function chunkByteSize(chunk: ChannelChunk): number {
  if (isByteChunk(chunk)) return chunk.data.byteLength;
  const stems = chunk.stems === undefined ? 0 : Object.keys(chunk.stems).length;
  return chunk.frames * chunk.format.channels * 4 * (1 + stems);
}

/** Splits a chunk into pieces of at most `maxBytes` (never less than one frame of audio). */
export function splitChunk<T extends ChannelChunk>(chunk: T, maxBytes: number): T[] {
  if (chunkByteSize(chunk) <= maxBytes) return [chunk];
  if (isByteChunk(chunk)) {
    const pieces: ByteChunk[] = [];
    for (let offset = 0; offset < chunk.data.length; offset += maxBytes) {
      const piece: { data: Uint8Array; seq: number; final: boolean; meta?: ByteChunk['meta'] } = {
        data: chunk.data.subarray(offset, offset + maxBytes),
        seq: chunk.seq,
        final: chunk.final && offset + maxBytes >= chunk.data.length,
      };
      if (chunk.meta !== undefined) piece.meta = chunk.meta;
      pieces.push(piece);
    }
    return pieces as T[];
  }
  const audio = chunk as AudioChunk;
  const frameBytes = chunkByteSize(audio) / Math.max(1, audio.frames);
  const step = Math.max(1, Math.floor(maxBytes / frameBytes));
  const pieces: AudioChunk[] = [];
  for (let start = 0; start < audio.frames; start += step) {
    const end = Math.min(audio.frames, start + step);
    const planes = audio.planes.map((plane) => plane.subarray(start, end));
    let stems: Record<string, Float32Array[]> | undefined;
    if (audio.stems !== undefined) {
      stems = {};
      for (const [name, stem] of Object.entries(audio.stems)) stems[name] = stem.map((plane) => plane.subarray(start, end));
    }
    pieces.push(
      makeChunk(
        audio.format,
        planes,
        end - start,
        audio.seq,
        audio.startFrame + start,
        audio.final && end === audio.frames,
        stems,
        audio.meta,
      ),
    );
  }
  return pieces as T[];
}

/** The chunk renumbered as piece `seq` of the channel's output stream. */
export function renumber<T extends ChannelChunk>(chunk: T, seq: number, final: boolean): T {
  if (chunk.seq === seq && chunk.final === final) return chunk;
  if (isByteChunk(chunk)) {
    const copy: { data: Uint8Array; seq: number; final: boolean; meta?: ByteChunk['meta'] } = { data: chunk.data, seq, final };
    if (chunk.meta !== undefined) copy.meta = chunk.meta;
    return copy as T;
  }
  const audio = chunk as AudioChunk;
  return makeChunk(audio.format, audio.planes, audio.frames, seq, audio.startFrame, final, audio.stems, audio.meta) as T;
}
