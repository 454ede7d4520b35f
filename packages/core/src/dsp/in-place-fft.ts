import { SluiceError } from '../errors/sluice-error';

/**
 * What core's in-place FFTs share: the size, the checks of the arrays, and
 * the inverse, which is the forward transform with real and imaginary parts
 * swapped on the way in and out, scaled by 1/N.
 */
export abstract class InPlaceFft {
  /** Transform length. */
  readonly size: number;

  constructor(
    size: number,
    private readonly label: string,
  ) {
    this.size = size;
  }

  /** In-place forward transform: X[k] = Σ x[n]·e^(−2πikn/N). */
  forward(re: Float64Array, im: Float64Array): void {
    this.check(re, im);
    this.transform(re, im);
  }

  /** In-place inverse transform, scaled by 1/N so that inverse(forward(x)) = x. */
  inverse(re: Float64Array, im: Float64Array): void {
    this.check(re, im);
    this.transform(im, re);
    const scale = 1 / this.size;
    for (let i = 0; i < this.size; i++) {
      re[i] = (re[i] as number) * scale;
      im[i] = (im[i] as number) * scale;
    }
  }

  /** The unscaled forward DFT of (re, im), in place. */
  protected abstract transform(re: Float64Array, im: Float64Array): void;

  private check(re: Float64Array, im: Float64Array): void {
    if (re.length < this.size || im.length < this.size) {
      throw new SluiceError('E_INVALID_ARGUMENT', `${this.label}: arrays must hold ${this.size} values`);
    }
  }
}

/**
 * W^k and W^(2k) of a `length`-point forward transform (W = e^(−2πi/length))
 * for k < `count`, interleaved (re, im, re, im), each from its own angle
 * rather than by recurrence, for float64 accuracy at every size.
 */
export function twiddlePairs(length: number, count: number): Float64Array {
  const twiddles = new Float64Array(4 * count);
  for (let k = 0; k < count; k++) {
    twiddles[4 * k] = Math.cos((2 * Math.PI * k) / length);
    twiddles[4 * k + 1] = -Math.sin((2 * Math.PI * k) / length);
    twiddles[4 * k + 2] = Math.cos((4 * Math.PI * k) / length);
    twiddles[4 * k + 3] = -Math.sin((4 * Math.PI * k) / length);
  }
  return twiddles;
}
