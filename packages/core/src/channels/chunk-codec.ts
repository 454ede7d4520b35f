import { type AudioChunk, type ChunkMeta, makeChunk } from '../chunk/audio-chunk';
import { type ByteChunk, isByteChunk } from '../chunk/byte-chunk';
import { SluiceError } from '../errors/sluice-error';
import type { ChannelChunk } from './types';

interface RecordHeader {
  t: 'b' | 'a';
  seq: number;
  final: boolean;
  meta?: ChunkMeta;
  sampleRate?: number;
  channels?: number;
  frames?: number;
  startFrame?: number;
  stems?: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Serialises a chunk to one self-describing record:
 * `[u32 header bytes][header JSON][payload]`, little-endian. Audio payloads
 * are the planes (then each stem's planes) as float32. `meta` must be JSON.
 */
export function encodeChunkRecord(chunk: ChannelChunk): Uint8Array {
  let header: RecordHeader;
  let payloadBytes: number;
  if (isByteChunk(chunk)) {
    header = { t: 'b', seq: chunk.seq, final: chunk.final };
    payloadBytes = chunk.data.byteLength;
  } else {
    const stems = chunk.stems === undefined ? undefined : Object.keys(chunk.stems);
    header = {
      t: 'a',
      seq: chunk.seq,
      final: chunk.final,
      sampleRate: chunk.format.sampleRate,
      channels: chunk.format.channels,
      frames: chunk.frames,
      startFrame: chunk.startFrame,
    };
    if (stems !== undefined) header.stems = stems;
    payloadBytes = chunk.frames * chunk.format.channels * 4 * (1 + (stems?.length ?? 0));
  }
  if (chunk.meta !== undefined) header.meta = chunk.meta;
  const headerBytes = encoder.encode(JSON.stringify(header));
  const record = new Uint8Array(4 + headerBytes.length + payloadBytes);
  new DataView(record.buffer).setUint32(0, headerBytes.length, true);
  record.set(headerBytes, 4);
  const payloadOffset = 4 + headerBytes.length;
  if (isByteChunk(chunk)) {
    record.set(chunk.data, payloadOffset);
  } else {
    let offset = payloadOffset;
    const writePlanes = (planes: readonly Float32Array[]) => {
      for (const plane of planes) {
        record.set(new Uint8Array(plane.buffer, plane.byteOffset, plane.byteLength), offset);
        offset += plane.byteLength;
      }
    };
    writePlanes(chunk.planes);
    for (const name of header.stems ?? []) writePlanes((chunk.stems as NonNullable<AudioChunk['stems']>)[name] as Float32Array[]);
  }
  return record;
}

/** Reads a record written by {@link encodeChunkRecord}. The returned chunk owns fresh buffers. */
export function decodeChunkRecord(record: Uint8Array): ChannelChunk {
  if (record.length < 4) throw new SluiceError('E_DECODE', 'Chunk record is shorter than its length prefix');
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const headerLength = view.getUint32(0, true);
  let header: RecordHeader;
  try {
    header = JSON.parse(decoder.decode(record.subarray(4, 4 + headerLength))) as RecordHeader;
  } catch (error) {
    throw SluiceError.wrap(error, 'E_DECODE', 'Chunk record header is not valid JSON');
  }
  const payload = record.subarray(4 + headerLength);
  if (header.t === 'b') {
    const chunk: { data: Uint8Array; seq: number; final: boolean; meta?: ChunkMeta } = {
      data: payload.slice(),
      seq: header.seq,
      final: header.final,
    };
    if (header.meta !== undefined) chunk.meta = header.meta;
    return chunk as ByteChunk;
  }
  const channels = header.channels as number;
  const frames = header.frames as number;
  // Copy once into an aligned buffer, then view planes into it.
  const aligned = new Float32Array(payload.byteLength / 4);
  new Uint8Array(aligned.buffer).set(payload);
  let offset = 0;
  const readPlanes = () => {
    const planes: Float32Array[] = [];
    for (let c = 0; c < channels; c++) {
      planes.push(aligned.subarray(offset, offset + frames));
      offset += frames;
    }
    return planes;
  };
  const planes = readPlanes();
  let stems: Record<string, Float32Array[]> | undefined;
  if (header.stems !== undefined) {
    stems = {};
    for (const name of header.stems) stems[name] = readPlanes();
  }
  return makeChunk(
    { sampleRate: header.sampleRate as number, channels },
    planes,
    frames,
    header.seq,
    header.startFrame as number,
    header.final,
    stems,
    header.meta,
  );
}
