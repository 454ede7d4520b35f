import { besselI0, kaiserBeta, kaiserWindow, sinc } from './kaiser';

/** How a resampling filter is shaped. */
export interface ResamplerDesignOptions {
  /** Passband edge as a fraction of the lower Nyquist frequency (default 0.9). */
  passbandEdge?: number;
  /** Stopband attenuation in dB, from the lower Nyquist frequency up (default 90). */
  stopbandDb?: number;
}

/** A polyphase filter bank for resampling inRate → outRate. */
export interface ResamplerDesign {
  /** Reduced upsampling factor (outRate / gcd). */
  readonly up: number;
  /** Reduced downsampling factor (inRate / gcd). */
  readonly down: number;
  /** Taps on each side of the centre, in input samples. */
  readonly halfTaps: number;
  /** Number of phases stored in `table`. Equals `up` when exact. */
  readonly phases: number;
  /** True when every output phase has its own row (no interpolation between rows). */
  readonly exact: boolean;
  /** Rows of 2·halfTaps coefficients, one per phase (plus one extra row when interpolating). */
  readonly table: Float32Array;
}

/** Largest table (in coefficients) kept exact; beyond it phases are interpolated. */
const MAX_EXACT_COEFFICIENTS = 1 << 21;
const INTERPOLATED_PHASES = 2048;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Designs a Kaiser-windowed sinc low-pass for sample-rate conversion: flat up
 * to `passbandEdge` × the lower Nyquist, at least `stopbandDb` down from the
 * lower Nyquist on. The kernel is sampled once per output phase.
 */
export function designResampler(inRate: number, outRate: number, options: ResamplerDesignOptions = {}): ResamplerDesign {
  const divisor = gcd(inRate, outRate);
  const up = outRate / divisor;
  const down = inRate / divisor;
  const passbandEdge = options.passbandEdge ?? 0.9;
  const stopbandDb = options.stopbandDb ?? 90;
  const lower = Math.min(inRate, outRate);
  // Frequencies in cycles per input sample.
  const transition = ((1 - passbandEdge) * lower) / 2 / inRate;
  const cutoff = ((1 + passbandEdge) / 2) * (lower / 2 / inRate);
  const length = Math.ceil((stopbandDb - 7.95) / (14.36 * transition)) + 1;
  const halfTaps = Math.ceil(length / 2);
  const beta = kaiserBeta(stopbandDb);
  const i0Beta = besselI0(beta);
  const width = 2 * halfTaps;
  const exact = up * width <= MAX_EXACT_COEFFICIENTS;
  const phases = exact ? up : INTERPOLATED_PHASES;
  const rows = exact ? phases : phases + 1;
  const table = new Float32Array(rows * width);
  for (let p = 0; p < rows; p++) {
    const fraction = p / phases;
    let sum = 0;
    for (let d = 0; d < width; d++) {
      // Coefficient for input sample (i + d - halfTaps + 1) when the output sits at i + fraction.
      const tau = fraction - (d - halfTaps + 1);
      const value = 2 * cutoff * sinc(2 * cutoff * tau) * kaiserWindow(tau / halfTaps, beta, i0Beta);
      table[p * width + d] = value;
      sum += value;
    }
    // Unit DC gain for every phase: removes the small ripple that sampling the kernel leaves.
    const scale = 1 / sum;
    for (let d = 0; d < width; d++) table[p * width + d] = (table[p * width + d] as number) * scale;
  }
  return { up, down, halfTaps, phases, exact, table };
}
