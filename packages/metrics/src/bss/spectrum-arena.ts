import { compileSimdModule } from '../wasm/simd-module';
import { COMPLEX_MAC_WASM_BASE64 } from './complex-mac-bytes';
import type { Spectrum } from './spectra';

type Mac = (outRe: number, outIm: number, xRe: number, xIm: number, yRe: number, yIm: number, n: number, conjugate: number) => void;

/** undefined: not compiled yet; null: no WebAssembly SIMD here. */
let module: WebAssembly.Module | null | undefined;
let enabled = true;

/**
 * Spectra that live side by side in one WebAssembly memory, and the complex
 * multiply-accumulate over them (complex-mac.wat: two bins per step in SIMD
 * lanes, about four times the scalar loop's speed). The memory is sized once,
 * for the lengths asked, so no view is ever detached by growth. Where there is
 * no WebAssembly SIMD, or the memory cannot be had, the spectra are plain
 * Float64Arrays and the scalar loop, with the same sums in the same order,
 * does the work.
 */
export class SpectrumArena {
  /** One spectrum per requested length, zeroed. */
  readonly spectra: Spectrum[];
  readonly #mac: Mac | undefined;
  readonly #buffer: ArrayBuffer | undefined;

  constructor(lengths: readonly number[]) {
    const memory = enabled ? arenaMemory(lengths) : undefined;
    if (memory === undefined) {
      this.spectra = lengths.map((length) => ({ re: new Float64Array(length), im: new Float64Array(length) }));
      return;
    }
    const instance = new WebAssembly.Instance(module as WebAssembly.Module, { arena: { memory } });
    this.#mac = instance.exports.mac as Mac;
    this.#buffer = memory.buffer;
    let offset = 0;
    // Each array starts on a 16-byte boundary: its length is rounded up to an even number of float64.
    const take = (length: number) => {
      const view = new Float64Array(memory.buffer, offset, length);
      offset += 8 * (length + (length & 1));
      return view;
    };
    this.spectra = lengths.map((length) => ({ re: take(length), im: take(length) }));
  }

  /**
   * out[k] += x[xFrom + k] · y[yFrom + k] for k in [0, bins), or · conj(y[…])
   * when `conjugate`. The SIMD kernel runs when all three are this arena's.
   */
  multiplyAccumulate(out: Spectrum, x: Spectrum, xFrom: number, y: Spectrum, yFrom: number, bins: number, conjugate: boolean): void {
    let from = 0;
    const mac = this.#mac;
    const buffer = this.#buffer;
    if (
      mac !== undefined &&
      out.re.buffer === buffer &&
      out.im.buffer === buffer &&
      x.re.buffer === buffer &&
      x.im.buffer === buffer &&
      y.re.buffer === buffer &&
      y.im.buffer === buffer
    ) {
      from = bins & ~1;
      const xOffset = 8 * xFrom;
      const yOffset = 8 * yFrom;
      mac(
        out.re.byteOffset,
        out.im.byteOffset,
        x.re.byteOffset + xOffset,
        x.im.byteOffset + xOffset,
        y.re.byteOffset + yOffset,
        y.im.byteOffset + yOffset,
        from,
        conjugate ? 1 : 0,
      );
    }
    scalarMultiplyAccumulate(out, x, xFrom, y, yFrom, from, bins, conjugate);
  }
}

/** The sums of complex-mac.wat, in the same order, for bins [from, to). */
function scalarMultiplyAccumulate(
  out: Spectrum,
  x: Spectrum,
  xFrom: number,
  y: Spectrum,
  yFrom: number,
  from: number,
  to: number,
  conjugate: boolean,
): void {
  const { re: or, im: oi } = out;
  const { re: xre, im: xim } = x;
  const { re: yre, im: yim } = y;
  if (conjugate) {
    for (let k = from; k < to; k++) {
      const a = xre[xFrom + k] as number;
      const b = xim[xFrom + k] as number;
      const c = yre[yFrom + k] as number;
      const d = yim[yFrom + k] as number;
      or[k] = (or[k] as number) + a * c + b * d;
      oi[k] = (oi[k] as number) + b * c - a * d;
    }
  } else {
    for (let k = from; k < to; k++) {
      const a = xre[xFrom + k] as number;
      const b = xim[xFrom + k] as number;
      const c = yre[yFrom + k] as number;
      const d = yim[yFrom + k] as number;
      or[k] = (or[k] as number) + a * c - b * d;
      oi[k] = (oi[k] as number) + a * d + b * c;
    }
  }
}

/** A WebAssembly memory that holds every requested spectrum, or undefined (no SIMD, or no memory that large). */
function arenaMemory(lengths: readonly number[]): WebAssembly.Memory | undefined {
  module ??= compileSimdModule(COMPLEX_MAC_WASM_BASE64);
  if (module === null) return undefined;
  const bytes = lengths.reduce((sum, length) => sum + 2 * 8 * (length + (length & 1)), 0);
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  // wasm32 addresses 4 GiB at most (65,536 pages); past that, or when the engine refuses the memory, plain arrays.
  if (pages > 65536) return undefined;
  try {
    return new WebAssembly.Memory({ initial: pages });
  } catch {
    return undefined;
  }
}

/** Turns the SIMD kernel off or on for arenas made from now on (for the benchmark's baseline and the tests); returns whether it is available. */
export function useSimdSpectra(on: boolean): boolean {
  enabled = on;
  module ??= compileSimdModule(COMPLEX_MAC_WASM_BASE64);
  return module !== null;
}
