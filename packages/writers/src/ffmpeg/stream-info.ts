/** What ffmpeg says about an input's first audio stream. */
export interface StreamInfo {
  container?: string;
  codec: string;
  sampleRate: number;
  channels: number;
  durationSeconds?: number;
  bitrateKbps?: number;
}

const LAYOUTS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  '2.1': 3,
  '3.0': 3,
  quad: 4,
  '4.0': 4,
  '5.0': 5,
  '5.0(side)': 5,
  '5.1': 6,
  '5.1(side)': 6,
  '6.1': 7,
  '7.1': 8,
  '7.1(wide)': 8,
};

/** Channel count from an ffmpeg layout word ("stereo", "5.1", "3 channels"). */
export function channelsFromLayout(layout: string): number | undefined {
  const plain = /^(\d+) channels?/.exec(layout);
  if (plain) return Number(plain[1]);
  return LAYOUTS[layout.replace(/,$/, '')];
}

/**
 * Reads ffmpeg's description of its input from stderr lines:
 * `Input #0, mp3, from 'x':`, `Duration: 00:00:05.02, start: 0, bitrate: 192 kb/s`,
 * `Stream #0:0: Audio: mp3, 44100 Hz, stereo, fltp, 192 kb/s`.
 */
export class StreamInfoReader {
  private container: string | undefined;
  private duration: number | undefined;
  private bitrate: number | undefined;
  /** The first audio stream, once seen. */
  info: StreamInfo | undefined;

  /** Feeds one stderr line; returns true when this line completed the info. */
  line(text: string): boolean {
    const input = /^Input #0, ([^,]+(?:,[^,]+)*?), from /.exec(text);
    if (input?.[1]) this.container = input[1].split(',')[0]?.trim();
    const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(text);
    if (duration) this.duration = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
    const bitrate = /Duration:.*bitrate: (\d+) kb\/s/.exec(text);
    if (bitrate) this.bitrate = Number(bitrate[1]);
    if (this.info !== undefined) return false;
    const stream = /Stream #0:\d+.*?: Audio: ([^,]+), (\d+) Hz, ([^,]+)/.exec(text);
    if (!stream) return false;
    const channels = channelsFromLayout((stream[3] ?? '').trim());
    if (channels === undefined) return false;
    const streamBitrate = /(\d+) kb\/s/.exec(text.slice(stream.index + stream[0].length));
    this.info = {
      codec: (stream[1] ?? '').trim().split(' ')[0] as string,
      sampleRate: Number(stream[2]),
      channels,
      ...(this.container ? { container: this.container } : {}),
      ...(this.duration !== undefined ? { durationSeconds: this.duration } : {}),
      ...(streamBitrate ? { bitrateKbps: Number(streamBitrate[1]) } : this.bitrate !== undefined ? { bitrateKbps: this.bitrate } : {}),
    };
    return true;
  }
}
