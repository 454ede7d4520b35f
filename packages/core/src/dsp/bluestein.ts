import { SluiceError } from '../errors/sluice-error';
import { type Fft, fftPlan, nextPowerOfTwo } from './fft';
import { Radix3Fft, isRadix3Size } from './radix3';

/** A complex FFT of any length, with the interface of {@link Fft}. */
export interface ComplexFft {
  /** Transform length. */
  readonly size: number;
  /** In-place forward transform: X[k] = Σ x[n]·e^(−2πikn/N). */
  forward(re: Float64Array, im: Float64Array): void;
  /** In-place inverse transform, scaled by 1/N. */
  inverse(re: Float64Array, im: Float64Array): void;
}

/**
 * Bluestein's chirp-z FFT for lengths that are not powers of two (MDX-Net
 * models use n_fft 6144 or 7680): the DFT rewritten as a convolution with a
 * chirp, computed with radix-2 FFTs of the next power of two ≥ 2N − 1.
 * O(N log N), about 3× the cost of a radix-2 transform of similar size.
 */
export class BluesteinFft implements ComplexFft {
  readonly size: number;
  private readonly inner: Fft;
  /** The chirp e^(−iπn²/N). */
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** FFT of the conjugate chirp, wrapped for circular convolution. */
  private readonly kernelRe: Float64Array;
  private readonly kernelIm: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new SluiceError('E_INVALID_ARGUMENT', `BluesteinFft: size must be a positive integer, got ${String(size)}`);
    this.size = size;
    const m = nextPowerOfTwo(2 * size - 1);
    this.inner = fftPlan(m);
    this.chirpRe = new Float64Array(size);
    this.chirpIm = new Float64Array(size);
    for (let n = 0; n < size; n++) {
      // n² mod 2N keeps the angle small, so the chirp stays accurate for large n.
      const angle = (Math.PI * ((n * n) % (2 * size))) / size;
      this.chirpRe[n] = Math.cos(angle);
      this.chirpIm[n] = -Math.sin(angle);
    }
    this.kernelRe = new Float64Array(m);
    this.kernelIm = new Float64Array(m);
    for (let n = 0; n < size; n++) {
      this.kernelRe[n] = this.chirpRe[n] as number;
      this.kernelIm[n] = -(this.chirpIm[n] as number);
      if (n > 0) {
        this.kernelRe[m - n] = this.chirpRe[n] as number;
        this.kernelIm[m - n] = -(this.chirpIm[n] as number);
      }
    }
    this.inner.forward(this.kernelRe, this.kernelIm);
    this.workRe = new Float64Array(m);
    this.workIm = new Float64Array(m);
  }

  forward(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    if (re.length < n || im.length < n) throw new SluiceError('E_INVALID_ARGUMENT', `BluesteinFft: arrays must hold ${n} values`);
    const { workRe, workIm, chirpRe, chirpIm, kernelRe, kernelIm } = this;
    workRe.fill(0);
    workIm.fill(0);
    multiply(re, im, chirpRe, chirpIm, workRe, workIm, n);
    this.inner.forward(workRe, workIm);
    multiply(workRe, workIm, kernelRe, kernelIm, workRe, workIm, workRe.length);
    this.inner.inverse(workRe, workIm);
    multiply(workRe, workIm, chirpRe, chirpIm, re, im, n);
  }

  inverse(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    // inverse(x) = conj(forward(conj(x))) / N
    for (let i = 0; i < n; i++) im[i] = -(im[i] as number);
    this.forward(re, im);
    for (let i = 0; i < n; i++) {
      re[i] = (re[i] as number) / n;
      im[i] = -(im[i] as number) / n;
    }
  }
}

/** out[i] = a[i] · b[i] for i < n, complex, element by element (out may be a). */
function multiply(
  aRe: Float64Array,
  aIm: Float64Array,
  bRe: Float64Array,
  bIm: Float64Array,
  outRe: Float64Array,
  outIm: Float64Array,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const ar = aRe[i] as number;
    const ai = aIm[i] as number;
    const br = bRe[i] as number;
    const bi = bIm[i] as number;
    outRe[i] = ar * br - ai * bi;
    outIm[i] = ar * bi + ai * br;
  }
}

const plans = new Map<number, ComplexFft>();

/** A cached FFT for any length: radix-2 for powers of two, {@link Radix3Fft} for 3 × a power of two, Bluestein otherwise. */
export function anySizeFftPlan(size: number): ComplexFft {
  let plan = plans.get(size);
  if (plan === undefined) {
    if ((size & (size - 1)) === 0 && size > 0) plan = fftPlan(size);
    else if (isRadix3Size(size)) plan = new Radix3Fft(size);
    else plan = new BluesteinFft(size);
    plans.set(size, plan);
  }
  return plan;
}
