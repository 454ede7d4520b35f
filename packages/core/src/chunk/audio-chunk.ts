import { type AudioFormat, describeFormat, sameFormat, validateFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';

/** Planar audio: one Float32Array per channel, all the same length. */
export type Planes = readonly Float32Array[];

/** Named planar signals carried beside the mix, e.g. drums/bass/other/vocals. */
export type Stems = Readonly<Record<string, Planes>>;

/** Free-form metadata attached to a chunk (text span for TTS, word timings, …). */
export type ChunkMeta = Readonly<Record<string, unknown>>;

/**
 * The unit of audio that flows through every Sluice pipeline.
 *
 * Samples are planar float32 in [-1, 1]. A chunk is immutable once emitted:
 * a processor that changes samples emits a new chunk.
 */
export interface AudioChunk {
  /** Sample rate and channel count of `planes` (and of every stem). */
  readonly format: AudioFormat;
  /** One Float32Array per channel, each `frames` long. */
  readonly planes: Planes;
  /** Frames in this chunk (may be 0 only for an end-of-stream marker). */
  readonly frames: number;
  /** Position of the chunk in its stream: 0, 1, 2… with no gaps. */
  readonly seq: number;
  /** Position of the first frame in the stream, in frames. */
  readonly startFrame: number;
  /** True on the last chunk of a stream. */
  readonly final: boolean;
  /** Separated stems (same format and length as `planes`), when a separator produced them. */
  readonly stems?: Stems;
  /** Metadata, passed along by stages that do not understand it. */
  readonly meta?: ChunkMeta;
}

/** What {@link createAudioChunk} needs; `seq`, `startFrame` and `final` default to 0, 0, false. */
export interface AudioChunkInit {
  format: AudioFormat;
  planes: Planes;
  seq?: number;
  startFrame?: number;
  final?: boolean;
  stems?: Stems;
  meta?: ChunkMeta;
}

function checkPlanes(planes: Planes, format: AudioFormat, what: string): number {
  if (!Array.isArray(planes) || planes.length !== format.channels) {
    throw new SluiceError(
      'E_FORMAT',
      `${what}: expected ${format.channels} plane(s) for ${describeFormat(format)}, got ${Array.isArray(planes) ? planes.length : typeof planes}`,
    );
  }
  const frames = planes[0]?.length ?? 0;
  for (let c = 0; c < planes.length; c++) {
    const plane = planes[c];
    if (!(plane instanceof Float32Array)) {
      throw new SluiceError('E_FORMAT', `${what}: channel ${c} is not a Float32Array`);
    }
    if (plane.length !== frames) {
      throw new SluiceError(
        'E_FORMAT',
        `${what}: channel lengths differ (channel 0 has ${frames} frames, channel ${c} has ${plane.length}); every channel of a chunk must have the same length`,
        { details: { channel: c, expected: frames, actual: plane.length } },
      );
    }
  }
  return frames;
}

function checkIndex(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new SluiceError('E_INVALID_ARGUMENT', `AudioChunk: ${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/**
 * Builds a validated, frozen AudioChunk: planes must match the channel count
 * and have equal lengths, stems must match the mix.
 */
export function createAudioChunk(init: AudioChunkInit): AudioChunk {
  const format = validateFormat(init.format, 'AudioChunk');
  const frames = checkPlanes(init.planes, format, 'AudioChunk');
  const seq = init.seq ?? 0;
  const startFrame = init.startFrame ?? 0;
  checkIndex(seq, 'seq');
  checkIndex(startFrame, 'startFrame');
  if (init.stems !== undefined) {
    for (const [name, stem] of Object.entries(init.stems)) {
      const stemFrames = checkPlanes(stem, format, `AudioChunk stem "${name}"`);
      if (stemFrames !== frames) {
        throw new SluiceError('E_FORMAT', `AudioChunk stem "${name}" has ${stemFrames} frames, the mix has ${frames}`);
      }
    }
  }
  return makeChunk(format, init.planes, frames, seq, startFrame, init.final ?? false, init.stems, init.meta);
}

/**
 * Builds a chunk without validation. For hot paths inside Sluice where the
 * contract already holds; user code should call {@link createAudioChunk}.
 * @internal
 */
export function makeChunk(
  format: AudioFormat,
  planes: Planes,
  frames: number,
  seq: number,
  startFrame: number,
  final: boolean,
  stems?: Stems,
  meta?: ChunkMeta,
): AudioChunk {
  const chunk: { -readonly [K in keyof AudioChunk]: AudioChunk[K] } = { format, planes, frames, seq, startFrame, final };
  if (stems !== undefined) chunk.stems = stems;
  if (meta !== undefined) chunk.meta = meta;
  return chunk;
}

/** A copy of `chunk` with some fields replaced (the sample data is shared, not copied). */
export function withChunk(chunk: AudioChunk, changes: Partial<Omit<AudioChunk, 'format' | 'frames'>>): AudioChunk {
  const planes = changes.planes ?? chunk.planes;
  return makeChunk(
    chunk.format,
    planes,
    planes[0]?.length ?? 0,
    changes.seq ?? chunk.seq,
    changes.startFrame ?? chunk.startFrame,
    changes.final ?? chunk.final,
    'stems' in changes ? changes.stems : chunk.stems,
    'meta' in changes ? changes.meta : chunk.meta,
  );
}

/** Allocates `channels` zeroed planes of `frames` frames. */
export function allocatePlanes(channels: number, frames: number): Float32Array[] {
  const planes: Float32Array[] = new Array(channels);
  for (let c = 0; c < channels; c++) planes[c] = new Float32Array(frames);
  return planes;
}

/** Duration of a chunk in seconds. */
export function chunkSeconds(chunk: AudioChunk): number {
  return chunk.frames / chunk.format.sampleRate;
}

/** Throws `E_FORMAT` when `chunk` does not have the `expected` format. */
export function assertChunkFormat(chunk: AudioChunk, expected: AudioFormat, where: string): void {
  if (!sameFormat(chunk.format, expected)) {
    throw new SluiceError(
      'E_FORMAT',
      `${where}: chunk ${chunk.seq} is ${describeFormat(chunk.format)} but the stream is ${describeFormat(expected)}; insert a ResampleProcessor or a channel remix before it`,
      { details: { seq: chunk.seq, expected, actual: chunk.format } },
    );
  }
}

/** Returns the planes of a chunk restricted to frames [start, end), as views (no copy). */
export function slicePlanes(planes: Planes, start: number, end: number): Float32Array[] {
  return planes.map((plane) => plane.subarray(start, end));
}

/**
 * The planes of one stem of a chunk, or undefined when it has no stem of
 * that name. Looks up own keys only, so a user's stem name such as
 * `constructor` or `__proto__` never finds a property of Object.prototype.
 */
export function stemPlanes(chunk: AudioChunk, stem: string): Planes | undefined {
  const stems = chunk.stems;
  return stems !== undefined && Object.hasOwn(stems, stem) ? stems[stem] : undefined;
}
