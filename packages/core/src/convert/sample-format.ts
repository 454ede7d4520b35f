import type { Planes } from '../chunk/audio-chunk';
import { SluiceError } from '../errors/sluice-error';

/**
 * Raw PCM sample encodings, all little-endian and interleaved on the wire:
 * unsigned 8-bit, signed 16/24/32-bit integers, 32/64-bit floats.
 */
export type SampleFormat = 'u8' | 's16le' | 's24le' | 's32le' | 'f32le' | 'f64le';

/** Every supported {@link SampleFormat}. */
export const SAMPLE_FORMATS: readonly SampleFormat[] = ['u8', 's16le', 's24le', 's32le', 'f32le', 'f64le'];

const BYTES: Record<SampleFormat, number> = { u8: 1, s16le: 2, s24le: 3, s32le: 4, f32le: 4, f64le: 8 };

/** Bytes per sample of a format. */
export function bytesPerSample(format: SampleFormat): number {
  // Own keys only: a format named `toString` is not a format.
  const bytes = Object.hasOwn(BYTES, format) ? BYTES[format] : undefined;
  if (bytes === undefined) {
    throw new SluiceError('E_UNSUPPORTED', `Unknown sample format "${String(format)}"; use one of ${SAMPLE_FORMATS.join(', ')}`);
  }
  return bytes;
}

/** Bits per sample of a format (8, 16, 24, 32 or 64). */
export function bitsPerSample(format: SampleFormat): number {
  return bytesPerSample(format) * 8;
}

/** True for the floating-point formats. */
export function isFloatFormat(format: SampleFormat): boolean {
  return format === 'f32le' || format === 'f64le';
}

/** Options for {@link encodePcm}. */
export interface EncodePcmOptions {
  /**
   * Triangular (TPDF) dither of ±1 LSB before rounding to integers. Off by
   * default so that encoding is deterministic and round trips are exact.
   */
  dither?: 'none' | 'tpdf';
  /** Write into this buffer instead of allocating (must be large enough). */
  out?: Uint8Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// xorshift32: cheap, deterministic noise for dither; quality is ample for ±1 LSB.
let ditherState = 0x9e3779b9;
function uniform(): number {
  ditherState ^= ditherState << 13;
  ditherState ^= ditherState >>> 17;
  ditherState ^= ditherState << 5;
  return (ditherState >>> 0) / 4294967296;
}

/** Rounds half to even, like C's lrint: what ffmpeg uses, so our integers match its conversions bit for bit. */
function roundHalfEven(value: number): number {
  const rounded = Math.round(value);
  return rounded - value === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

function quantizer(scale: number, min: number, max: number, dither: boolean): (value: number) => number {
  if (dither) {
    return (value) => {
      const rounded = roundHalfEven(value * scale + (uniform() - uniform()));
      return rounded > max ? max : Math.max(rounded, min);
    };
  }
  return (value) => {
    // NaN becomes 0 rather than poisoning the integer stream.
    const rounded = roundHalfEven(value * scale) || 0;
    return rounded > max ? max : Math.max(rounded, min);
  };
}

/**
 * Encodes planar float samples to interleaved little-endian PCM bytes.
 * Integers use the ±2^(bits-1) scale that ffmpeg and libsndfile use, with
 * clipping, so decode → encode is bit-exact.
 */
export function encodePcm(planes: Planes, format: SampleFormat, options: EncodePcmOptions = {}): Uint8Array {
  const channels = planes.length;
  const frames = planes[0]?.length ?? 0;
  const width = bytesPerSample(format);
  const size = frames * channels * width;
  const out = options.out ?? new Uint8Array(size);
  if (out.length < size) {
    throw new SluiceError('E_INVALID_ARGUMENT', `encodePcm: output holds ${out.length} bytes, needs ${size}`);
  }
  const dither = options.dither === 'tpdf';
  const view = new DataView(out.buffer, out.byteOffset, size);
  switch (format) {
    case 's16le': {
      const q = quantizer(32768, -32768, 32767, dither);
      if (!dither && LITTLE_ENDIAN && out.byteOffset % 2 === 0) {
        // The hot path (WAV, devices): the quantizer inlined. Int16Array stores NaN as 0.
        const samples = new Int16Array(out.buffer, out.byteOffset, frames * channels);
        for (let c = 0; c < channels; c++) {
          const plane = planes[c] as Float32Array;
          for (let i = 0, j = c; i < frames; i++, j += channels) {
            const scaled = (plane[i] as number) * 32768;
            let rounded = Math.round(scaled);
            if (rounded - scaled === 0.5 && (rounded & 1) !== 0) rounded--;
            samples[j] = rounded > 32767 ? 32767 : Math.max(rounded, -32768);
          }
        }
      } else if (LITTLE_ENDIAN && out.byteOffset % 2 === 0) {
        const samples = new Int16Array(out.buffer, out.byteOffset, frames * channels);
        for (let c = 0; c < channels; c++) {
          const plane = planes[c] as Float32Array;
          for (let i = 0, j = c; i < frames; i++, j += channels) samples[j] = q(plane[i] as number);
        }
      } else {
        for (let c = 0; c < channels; c++) {
          const plane = planes[c] as Float32Array;
          for (let i = 0; i < frames; i++) view.setInt16((i * channels + c) * 2, q(plane[i] as number), true);
        }
      }
      break;
    }
    case 's24le': {
      const q = quantizer(8388608, -8388608, 8388607, dither);
      for (let c = 0; c < channels; c++) {
        const plane = planes[c] as Float32Array;
        for (let i = 0; i < frames; i++) {
          const v = q(plane[i] as number);
          const o = (i * channels + c) * 3;
          out[o] = v & 0xff;
          out[o + 1] = (v >> 8) & 0xff;
          out[o + 2] = (v >> 16) & 0xff;
        }
      }
      break;
    }
    case 's32le': {
      const q = quantizer(2147483648, -2147483648, 2147483647, dither);
      for (let c = 0; c < channels; c++) {
        const plane = planes[c] as Float32Array;
        for (let i = 0; i < frames; i++) view.setInt32((i * channels + c) * 4, q(plane[i] as number), true);
      }
      break;
    }
    case 'u8': {
      const q = quantizer(128, -128, 127, dither);
      for (let c = 0; c < channels; c++) {
        const plane = planes[c] as Float32Array;
        for (let i = 0, j = c; i < frames; i++, j += channels) out[j] = q(plane[i] as number) + 128;
      }
      break;
    }
    case 'f32le': {
      if (LITTLE_ENDIAN && out.byteOffset % 4 === 0) {
        const samples = new Float32Array(out.buffer, out.byteOffset, frames * channels);
        for (let c = 0; c < channels; c++) {
          const plane = planes[c] as Float32Array;
          for (let i = 0, j = c; i < frames; i++, j += channels) samples[j] = plane[i] as number;
        }
      } else {
        for (let c = 0; c < channels; c++) {
          const plane = planes[c] as Float32Array;
          for (let i = 0; i < frames; i++) view.setFloat32((i * channels + c) * 4, plane[i] as number, true);
        }
      }
      break;
    }
    case 'f64le': {
      for (let c = 0; c < channels; c++) {
        const plane = planes[c] as Float32Array;
        for (let i = 0; i < frames; i++) view.setFloat64((i * channels + c) * 8, plane[i] as number, true);
      }
      break;
    }
    default:
      bytesPerSample(format);
  }
  return out.length === size ? out : out.subarray(0, size);
}

/**
 * Decodes interleaved little-endian PCM bytes into planar float samples.
 * `bytes` must hold a whole number of frames.
 */
export function decodePcm(bytes: Uint8Array, format: SampleFormat, channels: number, out?: Float32Array[]): Float32Array[] {
  const width = bytesPerSample(format);
  const frameBytes = width * channels;
  if (!Number.isInteger(channels) || channels <= 0) {
    throw new SluiceError('E_FORMAT', `decodePcm: channels must be a positive integer, got ${String(channels)}`);
  }
  if (bytes.length % frameBytes !== 0) {
    throw new SluiceError(
      'E_DECODE',
      `decodePcm: ${bytes.length} bytes is not a whole number of ${channels}-channel ${format} frames (${frameBytes} bytes each)`,
    );
  }
  const frames = bytes.length / frameBytes;
  const planes = out ?? Array.from({ length: channels }, () => new Float32Array(frames));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let c = 0; c < channels; c++) {
    const plane = planes[c] as Float32Array;
    switch (format) {
      case 's16le':
        if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
          const samples = new Int16Array(bytes.buffer, bytes.byteOffset, frames * channels);
          for (let i = 0, j = c; i < frames; i++, j += channels) plane[i] = (samples[j] as number) / 32768;
        } else {
          for (let i = 0; i < frames; i++) plane[i] = view.getInt16((i * channels + c) * 2, true) / 32768;
        }
        break;
      case 's24le':
        for (let i = 0; i < frames; i++) {
          const o = (i * channels + c) * 3;
          const v = ((bytes[o] as number) | ((bytes[o + 1] as number) << 8) | ((bytes[o + 2] as number) << 16)) << 8;
          plane[i] = (v >> 8) / 8388608;
        }
        break;
      case 's32le':
        for (let i = 0; i < frames; i++) plane[i] = view.getInt32((i * channels + c) * 4, true) / 2147483648;
        break;
      case 'u8':
        for (let i = 0, j = c; i < frames; i++, j += channels) plane[i] = ((bytes[j] as number) - 128) / 128;
        break;
      case 'f32le':
        if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
          const samples = new Float32Array(bytes.buffer, bytes.byteOffset, frames * channels);
          for (let i = 0, j = c; i < frames; i++, j += channels) plane[i] = samples[j] as number;
        } else {
          for (let i = 0; i < frames; i++) plane[i] = view.getFloat32((i * channels + c) * 4, true);
        }
        break;
      case 'f64le':
        for (let i = 0; i < frames; i++) plane[i] = view.getFloat64((i * channels + c) * 8, true);
        break;
      default:
        bytesPerSample(format);
    }
  }
  return planes;
}

/** Float samples to interleaved Int16Array (the layout most devices and codecs take). */
export function floatToInt16(planes: Planes, options: Omit<EncodePcmOptions, 'out'> = {}): Int16Array {
  const bytes = encodePcm(planes, 's16le', options);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
}

/** Interleaved Int16Array to float planes. */
export function int16ToFloat(samples: Int16Array, channels: number): Float32Array[] {
  return decodePcm(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), 's16le', channels);
}

/** Float samples to interleaved Int32Array holding 24-bit values (−2^23 … 2^23−1). */
export function floatToInt24(planes: Planes, options: Omit<EncodePcmOptions, 'out'> = {}): Int32Array {
  const bytes = encodePcm(planes, 's24le', options);
  const out = new Int32Array(bytes.length / 3);
  for (let i = 0, o = 0; i < out.length; i++, o += 3) {
    out[i] = (((bytes[o] as number) | ((bytes[o + 1] as number) << 8) | ((bytes[o + 2] as number) << 16)) << 8) >> 8;
  }
  return out;
}

/** Interleaved 24-bit values (in an Int32Array) to float planes. */
export function int24ToFloat(samples: Int32Array, channels: number): Float32Array[] {
  const frames = samples.length / channels;
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let c = 0; c < channels; c++) {
    const plane = planes[c] as Float32Array;
    for (let i = 0, j = c; i < frames; i++, j += channels) plane[i] = (samples[j] as number) / 8388608;
  }
  return planes;
}

/** Float samples to interleaved Int32Array (full 32-bit scale). */
export function floatToInt32(planes: Planes, options: Omit<EncodePcmOptions, 'out'> = {}): Int32Array {
  const bytes = encodePcm(planes, 's32le', options);
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

/** Interleaved Int32Array to float planes. */
export function int32ToFloat(samples: Int32Array, channels: number): Float32Array[] {
  return decodePcm(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), 's32le', channels);
}
