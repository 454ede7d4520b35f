import { readFileSync } from 'node:fs';

/** Loads the fixture written by tooling/fixtures/make_metrics_fixtures.py. */
export const reference = JSON.parse(readFileSync(new URL('./fixtures/reference-metrics.json', import.meta.url), 'utf8')) as {
  sampleRate: number;
  filterLength: number;
  pairs: {
    name: string;
    estimate: string[];
    reference: string[];
    siSdr: number;
    siSdrNoMean: number;
    siSdrPerChannel: number[];
    sdr: number;
    snr: number;
    correlation: number;
  }[];
  bss: {
    name: string;
    mode: 'images' | 'sources';
    windowSeconds: number | null;
    hopSeconds: number | null;
    /** Linearly dependent references: the filters need regularisation. */
    dependent?: boolean;
    /** One channel a delayed, scaled copy of the other: solvable as it is at this size, figures as mir_eval's. */
    nearlyDependent?: boolean;
    references: string[][];
    estimates: string[][];
    sdr: (number | null)[][] | (number | null)[];
    isr?: (number | null)[][] | (number | null)[];
    sir: (number | null)[][] | (number | null)[];
    sar: (number | null)[][] | (number | null)[];
  }[];
};

/** Decodes a base64 little-endian float32 array. */
export function decode(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
