import { SluiceError } from '@sluice/core';

/** One channel of samples. */
export type Channel = Float32Array | Float64Array;

/** A signal: one channel, or planar channels (one array per channel, equal lengths). */
export type Signal = Channel | readonly Channel[];

/** Options shared by the pairwise metrics. */
export interface PairOptions {
  /**
   * When the two signals differ in length: `false` (default) throws
   * `E_FORMAT`; `true` compares the common prefix (the shorter length).
   */
  truncate?: boolean;
}

/** Planar channels of a signal (a single array becomes one channel). */
export function channelsOf(signal: Signal, name: string): readonly Channel[] {
  if (signal instanceof Float32Array || signal instanceof Float64Array) return [signal];
  if (!Array.isArray(signal) || signal.length === 0) {
    throw new SluiceError('E_INVALID_ARGUMENT', `${name}: expected a Float32Array/Float64Array or an array of them (one per channel)`);
  }
  const length = signal[0]?.length ?? 0;
  for (const [c, channel] of signal.entries()) {
    if (!(channel instanceof Float32Array || channel instanceof Float64Array)) {
      throw new SluiceError('E_INVALID_ARGUMENT', `${name}: channel ${c} is not a Float32Array or Float64Array`);
    }
    if (channel.length !== length) {
      throw new SluiceError('E_FORMAT', `${name}: channel ${c} has ${channel.length} samples, channel 0 has ${length}`);
    }
  }
  return signal;
}

/** Checks two signals against each other and returns their channels and the length to compare. */
export function pairOf(
  estimate: Signal,
  reference: Signal,
  options: PairOptions,
  names: [string, string] = ['estimate', 'reference'],
): { a: readonly Channel[]; b: readonly Channel[]; length: number } {
  const a = channelsOf(estimate, names[0]);
  const b = channelsOf(reference, names[1]);
  if (a.length !== b.length) {
    throw new SluiceError(
      'E_FORMAT',
      `${names[0]} has ${a.length} channel(s), ${names[1]} has ${b.length}; compare signals with the same channel count`,
    );
  }
  const la = a[0]?.length ?? 0;
  const lb = b[0]?.length ?? 0;
  if (la !== lb && !options.truncate) {
    throw new SluiceError(
      'E_FORMAT',
      `${names[0]} has ${la} samples per channel, ${names[1]} has ${lb}; pass { truncate: true } to compare the first ${Math.min(la, lb)}`,
      { details: { estimateLength: la, referenceLength: lb } },
    );
  }
  const length = Math.min(la, lb);
  if (length === 0) throw new SluiceError('E_INVALID_ARGUMENT', `${names[0]} and ${names[1]} are empty: there is nothing to measure`);
  return { a, b, length };
}

/** Location of the first NaN or ±Infinity sample, if any. */
export function findNonFinite(channels: readonly Channel[], length: number): { channel: number; index: number; value: number } | undefined {
  for (const [c, channel] of channels.entries()) {
    for (let i = 0; i < length; i++) {
      if (!Number.isFinite(channel[i] as number)) return { channel: c, index: i, value: channel[i] as number };
    }
  }
  return undefined;
}

/**
 * Throws `E_NON_FINITE` naming the first NaN or ±Infinity sample among the
 * named signals. Called only once a sum came out non-finite, so the clean
 * path stays one pass.
 */
export function reportNonFinite(signals: readonly [string, readonly Channel[]][], length: number): never {
  for (const [name, channels] of signals) {
    const bad = findNonFinite(channels, length);
    if (bad !== undefined) {
      throw new SluiceError(
        'E_NON_FINITE',
        `${name}: sample ${bad.index} of channel ${bad.channel} is ${bad.value}; metrics need finite samples`,
        {
          details: { channel: bad.channel, index: bad.index },
        },
      );
    }
  }
  throw new SluiceError('E_NON_FINITE', `${signals.map(([name]) => name).join(' / ')}: the sums overflowed (samples too large)`);
}
