import { open, stat } from 'node:fs/promises';
import { SluiceError } from '@sluice/core';
import { FfmpegProcess, lastMeaningfulLine } from '../ffmpeg/process';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { StreamInfoReader } from '../ffmpeg/stream-info';
import { readMp3Gapless } from './mp3-gapless';

/** What {@link probe} finds out about a file. */
export interface ProbeResult {
  path: string;
  /** Container (`WAVE`, `MPEG`, `FLAC`, `Ogg`, `MPEG-4`, …). */
  container: string;
  /** Codec of the audio. */
  codec: string;
  sampleRate: number;
  channels: number;
  /** Duration in seconds (NaN when unknown, e.g. a WAV stream without sizes). */
  durationSeconds: number;
  /** Average bitrate in kbit/s (NaN when unknown). */
  bitrateKbps: number;
  /** Whether the codec is lossless, when known. */
  lossless?: boolean;
  /** Title, artist, album, comment, … */
  tags: Record<string, string>;
  /** Who answered: the pure-JS parser or ffmpeg. */
  via: 'music-metadata' | 'ffmpeg';
  /**
   * Set when the file is shorter than its own header declares (a download
   * cut short): `durationSeconds` is what the header declares, this is
   * about how much of it is in the file.
   */
  truncated?: { presentSeconds: number };
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function checkFile(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new SluiceError('E_IO', `probe: ${path} is not a file`);
    return info.size;
  } catch (error) {
    if (SluiceError.isInstance(error)) throw error;
    throw SluiceError.wrap(error, 'E_IO', `probe: cannot read ${path}`);
  }
}

/**
 * Container, codec, sample rate, channels, duration, bitrate and tags of an
 * audio file: music-metadata (pure JS, no process) first, ffmpeg when that
 * cannot tell. Throws `E_DECODE` for files that are not audio (empty, text,
 * corrupt), with ffmpeg's own reason where it had one.
 */
export async function probe(path: string): Promise<ProbeResult> {
  const size = await checkFile(path);
  if (size === 0) throw new SluiceError('E_DECODE', `probe: ${path} is empty`);
  try {
    const mm = await import('music-metadata');
    const meta = await mm.parseFile(path, { duration: true, skipCovers: true });
    const { format, common } = meta;
    if (format.sampleRate && format.numberOfChannels && format.codec) {
      const tags: Record<string, string> = {};
      if (common.title) tags.title = common.title;
      if (common.artist) tags.artist = common.artist;
      if (common.album) tags.album = common.album;
      const comment = common.comment?.[0] as unknown;
      if (comment) tags.comment = typeof comment === 'string' ? comment : String((comment as { text?: string }).text ?? '');
      if (common.date) tags.date = common.date;
      if (common.genre?.[0]) tags.genre = common.genre[0];
      if (common.track?.no) tags.track = String(common.track.no);
      let duration = format.duration ?? Number.NaN;
      let truncated: ProbeResult['truncated'];
      if (format.codec?.startsWith('MPEG 1 Layer 3') || format.codec?.startsWith('MPEG 2 Layer 3') || format.container === 'MPEG') {
        // music-metadata counts the encoder delay and padding; the LAME tag says how many samples really play.
        const gapless = readMp3Gapless(await readHead(path, 64 * 1024));
        if (gapless && gapless.samples > 0) duration = gapless.samples / format.sampleRate;
        // The Xing tag declares the stream's length in bytes: a file with much less than that was cut short.
        const present = gapless?.streamBytes === undefined ? 1 : (size - gapless.streamStart) / gapless.streamBytes;
        if (present < 0.99 && Number.isFinite(duration)) truncated = { presentSeconds: Math.max(0, present) * duration };
      }
      return {
        path,
        container: format.container ?? 'unknown',
        codec: format.codec,
        sampleRate: format.sampleRate,
        channels: format.numberOfChannels,
        durationSeconds: duration,
        bitrateKbps: format.bitrate
          ? format.bitrate / 1000
          : Number.isFinite(duration) && duration > 0
            ? (size * 8) / duration / 1000
            : Number.NaN,
        ...(format.lossless === undefined ? {} : { lossless: format.lossless }),
        tags,
        via: 'music-metadata',
        ...(truncated === undefined ? {} : { truncated }),
      };
    }
  } catch {
    // Not something music-metadata understands: ask ffmpeg, which knows more formats and explains failures.
  }
  return probeWithFfmpeg(path);
}

async function probeWithFfmpeg(path: string): Promise<ProbeResult> {
  const binary = await resolveFfmpeg();
  const reader = new StreamInfoReader();
  const process = new FfmpegProcess(binary.path, ['-i', path], {
    purpose: `probing ${path}`,
    stdin: false,
    onLine: (line) => void reader.line(line),
  });
  await process.finished().catch(() => {
    // `ffmpeg -i` without an output always exits 1; the stream description is what we want.
  });
  const info = reader.info;
  if (info === undefined) {
    throw new SluiceError(
      'E_DECODE',
      `probe: ${path} is not audio ffmpeg can read: ${lastMeaningfulLine(process.stderr) || 'no audio stream'}`,
    );
  }
  return {
    path,
    container: info.container ?? 'unknown',
    codec: info.codec,
    sampleRate: info.sampleRate,
    channels: info.channels,
    durationSeconds: info.durationSeconds ?? Number.NaN,
    bitrateKbps: info.bitrateKbps ?? Number.NaN,
    tags: {},
    via: 'ffmpeg',
  };
}
