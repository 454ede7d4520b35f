import { decodePcm } from '@sluice/core';

/**
 * Polly's pcm (s16le mono) decoded piece by piece as it arrives, with no
 * holding back: a piece's whole samples come out at once (core's
 * `decodePcm`), and an odd trailing byte waits for the next piece. (Core's
 * `PcmDecoder` cuts fixed-size chunks, which would hold a sentence's tail
 * until the next one arrives.)
 */
export class PcmPieces {
  private carry: number | undefined;

  /** The samples `bytes` completes. */
  push(bytes: Uint8Array): Float32Array {
    let whole = bytes;
    if (this.carry !== undefined) {
      whole = new Uint8Array(bytes.length + 1);
      whole[0] = this.carry;
      whole.set(bytes, 1);
    }
    const even = whole.length - (whole.length % 2);
    this.carry = even < whole.length ? whole[even] : undefined;
    return decodePcm(whole.subarray(0, even), 's16le', 1)[0] as Float32Array;
  }
}
