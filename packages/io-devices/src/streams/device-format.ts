import { SluiceError, type SampleFormat } from '@sluice/core';

/** Sample formats a device stream can use, and naudiodon's code for each. */
export const DEVICE_SAMPLE_FORMATS = { s16le: 16, s24le: 24, s32le: 32, f32le: 1 } as const satisfies Partial<Record<SampleFormat, number>>;

export type DeviceSampleFormat = keyof typeof DEVICE_SAMPLE_FORMATS;

/** Checks a sample format option (default s16le: what every device takes). */
export function deviceSampleFormat(format: string | undefined): DeviceSampleFormat {
  const chosen = format ?? 's16le';
  if (!Object.hasOwn(DEVICE_SAMPLE_FORMATS, chosen)) {
    throw new SluiceError('E_FORMAT', `device streams use ${Object.keys(DEVICE_SAMPLE_FORMATS).join(', ')}, not ${chosen}`);
  }
  return chosen as DeviceSampleFormat;
}
