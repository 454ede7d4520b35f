import { type SampleFormat, SluiceError, bitsPerSample, bytesPerSample, isFloatFormat } from '@sluice/core';

/** What a WAV header describes. */
export interface WavLayout {
  sampleRate: number;
  channels: number;
  sampleFormat: SampleFormat;
}

/** Size fields written when the length is unknown (streams): readers take them as "until the end". */
export const UNKNOWN_SIZE = 0xffffffff;
const PCM_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** WAVE_FORMAT_EXTENSIBLE is needed for more than 2 channels, more than 16 bits, or float. */
export function needsExtensible(layout: WavLayout): boolean {
  return layout.channels > 2 || bitsPerSample(layout.sampleFormat) > 16 || isFloatFormat(layout.sampleFormat);
}

/** Default speaker mask for 1–8 channels (FL FR FC LFE BL BR FLC FRC), 0 beyond. */
function channelMask(channels: number): number {
  const masks = [0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x13f, 0x63f];
  return masks[channels] ?? 0;
}

/**
 * Builds a WAV header. `dataBytes` undefined writes {@link UNKNOWN_SIZE}
 * (stream). `reserveRf64` adds a 28-byte JUNK chunk that a seekable file can
 * later turn into the `ds64` chunk of RF64 once it passes 4 GiB.
 */
export function wavHeader(layout: WavLayout, options: { dataBytes?: number; reserveRf64?: boolean } = {}): Uint8Array {
  const extensible = needsExtensible(layout);
  const fmtBytes = extensible ? 40 : 16;
  const junkBytes = options.reserveRf64 ? 8 + 28 : 0;
  const headerBytes = 12 + junkBytes + 8 + fmtBytes + 8;
  const out = new Uint8Array(headerBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  };
  const data = options.dataBytes;
  const riffSize = data === undefined ? UNKNOWN_SIZE : Math.min(UNKNOWN_SIZE, headerBytes - 8 + data + (data % 2));
  ascii(0, 'RIFF');
  view.setUint32(4, riffSize, true);
  ascii(8, 'WAVE');
  let offset = 12;
  if (junkBytes > 0) {
    ascii(offset, 'JUNK');
    view.setUint32(offset + 4, 28, true);
    offset += junkBytes;
  }
  const width = bytesPerSample(layout.sampleFormat);
  ascii(offset, 'fmt ');
  view.setUint32(offset + 4, fmtBytes, true);
  const formatTag = extensible ? 0xfffe : isFloatFormat(layout.sampleFormat) ? 3 : 1;
  view.setUint16(offset + 8, formatTag, true);
  view.setUint16(offset + 10, layout.channels, true);
  view.setUint32(offset + 12, layout.sampleRate, true);
  view.setUint32(offset + 16, layout.sampleRate * layout.channels * width, true);
  view.setUint16(offset + 20, layout.channels * width, true);
  view.setUint16(offset + 22, width * 8, true);
  if (extensible) {
    view.setUint16(offset + 24, 22, true);
    view.setUint16(offset + 26, width * 8, true);
    view.setUint32(offset + 28, channelMask(layout.channels), true);
    view.setUint16(offset + 32, isFloatFormat(layout.sampleFormat) ? 3 : 1, true);
    out.set(PCM_GUID_TAIL, offset + 34);
  }
  offset += 8 + fmtBytes;
  ascii(offset, 'data');
  view.setUint32(offset + 4, data === undefined ? UNKNOWN_SIZE : Math.min(UNKNOWN_SIZE, data), true);
  return out;
}

/** Where the size fields of a header built by {@link wavHeader} are, for the fix-up of a seekable file. */
export function wavSizeOffsets(
  layout: WavLayout,
  reserveRf64: boolean,
): { riff: number; junk: number | undefined; data: number; header: number } {
  const junk = reserveRf64 ? 12 : undefined;
  const fmtStart = 12 + (reserveRf64 ? 36 : 0);
  const dataChunk = fmtStart + 8 + (needsExtensible(layout) ? 40 : 16);
  return { riff: 4, junk, data: dataChunk + 4, header: dataChunk + 8 };
}

/** The sample format of a WAV `fmt ` chunk, or an E_UNSUPPORTED error. */
export function sampleFormatOf(tag: number, bits: number): SampleFormat {
  if (tag === 3) {
    if (bits === 32) return 'f32le';
    if (bits === 64) return 'f64le';
  } else if (tag === 1) {
    if (bits === 8) return 'u8';
    if (bits === 16) return 's16le';
    if (bits === 24) return 's24le';
    if (bits === 32) return 's32le';
  }
  throw new SluiceError(
    'E_UNSUPPORTED',
    `WAV: format tag ${tag} with ${bits} bits per sample is not supported (PCM 8/16/24/32-bit or float 32/64-bit are)`,
  );
}
