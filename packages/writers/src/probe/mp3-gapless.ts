/** Encoder delay and padding from an MP3's Xing/Info + LAME tag, and the exact duration they give. */
export interface Mp3Gapless {
  frames: number;
  samplesPerFrame: number;
  delay: number;
  padding: number;
  /** Playable samples: frames × samplesPerFrame − delay − padding. */
  samples: number;
  /** Bytes of MPEG audio the tag declares, from its first frame on (when the tag has the bytes field). */
  streamBytes?: number;
  /** Where the first MPEG frame starts in the file (after an ID3v2 tag). */
  streamStart: number;
}

/**
 * Reads the first MPEG audio frame's Xing/Info header and LAME extension
 * (frame count, then 12-bit encoder delay and padding), which is how
 * gapless players, and ffmpeg, know the true length. Returns undefined when
 * the file has none (CBR streams without a tag).
 */
export function readMp3Gapless(head: Uint8Array): Mp3Gapless | undefined {
  let offset = 0;
  // Skip an ID3v2 tag.
  if (head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33 && head.length > 10) {
    offset = 10 + (((head[6] as number) << 21) | ((head[7] as number) << 14) | ((head[8] as number) << 7) | (head[9] as number));
  }
  while (offset + 4 < head.length && !((head[offset] as number) === 0xff && ((head[offset + 1] as number) & 0xe0) === 0xe0)) offset++;
  if (offset + 4 >= head.length) return undefined;
  const version = ((head[offset + 1] as number) >> 3) & 0x03; // 3 = MPEG1
  const samplesPerFrame = version === 3 ? 1152 : 576;
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1', offset, Math.min(head.length, offset + 200));
  const tagAt = Math.max(text.indexOf('Xing'), text.indexOf('Info'));
  if (tagAt < 0) return undefined;
  const at = offset + tagAt;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (at + 8 > head.length) return undefined;
  const flags = view.getUint32(at + 4);
  if ((flags & 0x1) === 0) return undefined;
  let cursor = at + 8;
  const frames = view.getUint32(cursor);
  cursor += 4;
  let streamBytes: number | undefined;
  if (flags & 0x2) {
    streamBytes = view.getUint32(cursor);
    cursor += 4;
  }
  if (flags & 0x4) cursor += 100;
  if (flags & 0x8) cursor += 4;
  // LAME extension: 9-byte version, then 12 bytes of settings, then delay/padding packed in 3 bytes.
  let delay = 0;
  let padding = 0;
  if (cursor + 24 <= head.length && /^(LAME|Lavc|Lavf)/.test(Buffer.from(head.subarray(cursor, cursor + 4)).toString('latin1'))) {
    const packed = cursor + 21;
    delay = ((head[packed] as number) << 4) | ((head[packed + 1] as number) >> 4);
    padding = (((head[packed + 1] as number) & 0x0f) << 8) | (head[packed + 2] as number);
  }
  return {
    frames,
    samplesPerFrame,
    delay,
    padding,
    samples: frames * samplesPerFrame - delay - padding,
    streamStart: offset,
    ...(streamBytes === undefined ? {} : { streamBytes }),
  };
}
