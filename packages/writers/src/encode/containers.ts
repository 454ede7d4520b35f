import { type SampleFormat, SluiceError } from '@sluice/core';

/** The containers Sluice writes, each with its usual codec (see docs/glossary.md: raw PCM, MP3 and ADTS AAC count). */
export type Container = 'wav' | 'pcm' | 'flac' | 'ogg' | 'opus' | 'mp3' | 'aac' | 'm4a';

/** Every {@link Container}. */
export const CONTAINERS: readonly Container[] = ['wav', 'pcm', 'flac', 'ogg', 'opus', 'mp3', 'aac', 'm4a'];

/** Metadata tags: ID3 for MP3, Vorbis comments for Ogg/Opus/FLAC, iTunes atoms for M4A. */
export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  comment?: string;
  date?: string;
  genre?: string;
  track?: string;
}

/** Options of an encoder. */
export interface EncodeOptions {
  /** Target bitrate in kbit/s (mp3, ogg, opus, aac, m4a). */
  bitrateKbps?: number;
  /** VBR quality instead of a bitrate: mp3 0 (best) … 9, ogg −1 … 10, aac 0.1 … 2. */
  quality?: number;
  /** Sample format for wav, pcm and flac (default s16le; flac takes s16le or s24le). */
  sampleFormat?: SampleFormat;
  /** Tags written into the container. */
  tags?: AudioTags;
}

interface ContainerSpec {
  mimeType: string;
  extension: string;
  /** ffmpeg muxer for pipes and for files. */
  muxer: { stream: string; file: string } | undefined;
  bitrate?: { min: number; max: number; default: number };
  quality?: { min: number; max: number };
}

const SPECS: Record<Container, ContainerSpec> = {
  wav: { mimeType: 'audio/wav', extension: 'wav', muxer: undefined },
  pcm: { mimeType: 'audio/pcm', extension: 'pcm', muxer: undefined },
  flac: { mimeType: 'audio/flac', extension: 'flac', muxer: { stream: 'flac', file: 'flac' } },
  ogg: {
    mimeType: 'audio/ogg',
    extension: 'ogg',
    muxer: { stream: 'ogg', file: 'ogg' },
    bitrate: { min: 32, max: 500, default: 160 },
    quality: { min: -1, max: 10 },
  },
  opus: {
    mimeType: 'audio/ogg; codecs=opus',
    extension: 'opus',
    muxer: { stream: 'opus', file: 'opus' },
    bitrate: { min: 6, max: 510, default: 128 },
  },
  mp3: {
    mimeType: 'audio/mpeg',
    extension: 'mp3',
    muxer: { stream: 'mp3', file: 'mp3' },
    bitrate: { min: 8, max: 320, default: 192 },
    quality: { min: 0, max: 9 },
  },
  aac: {
    mimeType: 'audio/aac',
    extension: 'aac',
    muxer: { stream: 'adts', file: 'adts' },
    bitrate: { min: 16, max: 512, default: 160 },
    quality: { min: 0.1, max: 2 },
  },
  m4a: {
    mimeType: 'audio/mp4',
    extension: 'm4a',
    muxer: { stream: 'adts', file: 'ipod' },
    bitrate: { min: 16, max: 512, default: 160 },
    quality: { min: 0.1, max: 2 },
  },
};

/** MIME type (Content-Type) of a container. */
export function mimeTypeOf(container: Container): string {
  return specOf(container).mimeType;
}

/** Usual file extension of a container. */
export function extensionOf(container: Container): string {
  return specOf(container).extension;
}

/** The container a file name implies (`song.mp3` → mp3; `.oga` → ogg; `.wave` → wav; `.mp4` → m4a). */
export function containerFromPath(path: string): Container | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (extension === undefined) return undefined;
  const aliases: Record<string, Container> = { wave: 'wav', oga: 'ogg', raw: 'pcm', mp4: 'm4a', adts: 'aac' };
  // Own properties only: a file named `x.constructor` must not find Object's constructor.
  const container = Object.hasOwn(aliases, extension) ? (aliases[extension] as Container) : (extension as Container);
  return CONTAINERS.includes(container) ? container : undefined;
}

function specOf(container: Container): ContainerSpec {
  const spec = Object.hasOwn(SPECS, container) ? SPECS[container] : undefined;
  if (spec === undefined) {
    throw new SluiceError('E_UNSUPPORTED', `Unsupported container "${String(container)}"; use one of ${CONTAINERS.join(', ')}`);
  }
  return spec;
}

/** Checks options against the container; throws `E_INVALID_ARGUMENT` / `E_UNSUPPORTED` naming the problem. */
export function validateEncodeOptions(container: Container, options: EncodeOptions): void {
  const spec = specOf(container);
  const { bitrateKbps, quality, sampleFormat } = options;
  if (bitrateKbps !== undefined) {
    if (spec.bitrate === undefined) throw new SluiceError('E_INVALID_ARGUMENT', `${container} is lossless: it has no bitrate option`);
    if (!Number.isFinite(bitrateKbps) || bitrateKbps < spec.bitrate.min || bitrateKbps > spec.bitrate.max) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `${container}: bitrateKbps must be between ${spec.bitrate.min} and ${spec.bitrate.max}, got ${String(bitrateKbps)}`,
      );
    }
  }
  if (quality !== undefined) {
    if (spec.quality === undefined)
      throw new SluiceError('E_INVALID_ARGUMENT', `${container} has no VBR quality option${spec.bitrate ? '; use bitrateKbps' : ''}`);
    if (!Number.isFinite(quality) || quality < spec.quality.min || quality > spec.quality.max) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `${container}: quality must be between ${spec.quality.min} and ${spec.quality.max}, got ${String(quality)}`,
      );
    }
    if (bitrateKbps !== undefined) throw new SluiceError('E_INVALID_ARGUMENT', `${container}: give bitrateKbps or quality, not both`);
  }
  if (sampleFormat !== undefined) {
    const allowed: Partial<Record<Container, SampleFormat[]>> = {
      wav: ['u8', 's16le', 's24le', 's32le', 'f32le', 'f64le'],
      pcm: ['u8', 's16le', 's24le', 's32le', 'f32le', 'f64le'],
      flac: ['s16le', 's24le'],
    };
    const list = allowed[container];
    if (list === undefined)
      throw new SluiceError('E_INVALID_ARGUMENT', `${container} is compressed: sampleFormat applies to wav, pcm and flac`);
    if (!list.includes(sampleFormat)) {
      throw new SluiceError('E_UNSUPPORTED', `${container} cannot store ${sampleFormat}; use one of ${list.join(', ')}`);
    }
  }
}

/** The ffmpeg output arguments (codec, rate control, tags, muxer) for a container. */
export function ffmpegOutputArgs(container: Container, options: EncodeOptions, target: 'stream' | 'file'): string[] {
  const spec = specOf(container);
  if (spec.muxer === undefined) throw new SluiceError('E_INTERNAL', `${container} is written without ffmpeg`);
  const args: string[] = ['-vn'];
  const rate = (fallback: number) => ['-b:a', `${options.bitrateKbps ?? fallback}k`];
  switch (container) {
    case 'flac':
      args.push('-c:a', 'flac', '-compression_level', '5');
      args.push(...(options.sampleFormat === 's24le' ? ['-sample_fmt', 's32', '-bits_per_raw_sample', '24'] : ['-sample_fmt', 's16']));
      break;
    case 'ogg':
      args.push(
        '-c:a',
        'libvorbis',
        ...(options.quality === undefined ? rate(spec.bitrate?.default ?? 160) : ['-q:a', String(options.quality)]),
      );
      break;
    case 'opus':
      args.push('-c:a', 'libopus', ...rate(spec.bitrate?.default ?? 128));
      break;
    case 'mp3':
      args.push(
        '-c:a',
        'libmp3lame',
        ...(options.quality === undefined ? rate(spec.bitrate?.default ?? 192) : ['-q:a', String(options.quality)]),
      );
      // A pipe cannot be rewound to fill in a Xing frame, and an empty one gives players a wrong duration.
      args.push('-id3v2_version', '3', '-write_xing', target === 'file' ? '1' : '0');
      break;
    case 'aac':
    case 'm4a':
      args.push('-c:a', 'aac', ...(options.quality === undefined ? rate(spec.bitrate?.default ?? 160) : ['-q:a', String(options.quality)]));
      if (container === 'm4a' && target === 'file') args.push('-movflags', '+faststart');
      break;
    default:
      break;
  }
  for (const [key, value] of Object.entries(options.tags ?? {})) {
    if (value !== undefined && value !== '') args.push('-metadata', `${key}=${value}`);
  }
  if (container === 'm4a' && target === 'stream') {
    throw new SluiceError(
      'E_UNSUPPORTED',
      'm4a needs a seekable file (its index is written at the end); stream AAC as "aac" (ADTS) instead',
    );
  }
  // Streams: each muxed packet goes to the pipe as soon as it exists. Without it ffmpeg fills its 32 KiB I/O
  // buffer first, which at speech bitrates holds back the first bytes by seconds.
  if (target === 'stream') args.push('-flush_packets', '1');
  args.push('-f', target === 'file' ? spec.muxer.file : spec.muxer.stream);
  return args;
}

/** Input arguments for raw float32 PCM on stdin. */
export function rawInputArgs(sampleRate: number, channels: number): string[] {
  return ['-f', 'f32le', '-ar', String(sampleRate), '-ac', String(channels), '-i', 'pipe:0'];
}
