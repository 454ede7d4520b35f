/** Little-endian signed 16-bit PCM decoding for Polly's pcm output: one helper for the request and the bidirectional APIs. */
/** Little-endian signed 16-bit PCM to float, carrying an odd byte to the next piece. */
export function decodeS16(bytes: Uint8Array, carry: number | undefined): { samples: Float32Array; rest: number | undefined } {
  const total = bytes.length + (carry === undefined ? 0 : 1);
  const count = total >> 1;
  const samples = new Float32Array(count);
  let i = 0;
  let at = 0;
  if (carry !== undefined && count > 0) {
    const value = carry | ((bytes[0] as number) << 8);
    samples[i++] = (value > 0x7fff ? value - 0x10000 : value) / 32768;
    at = 1;
  }
  for (; i < count; i++, at += 2) {
    const value = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
    samples[i] = (value > 0x7fff ? value - 0x10000 : value) / 32768;
  }
  const rest = total % 2 === 1 ? (bytes[bytes.length - 1] as number) : undefined;
  return { samples, rest: carry !== undefined && count === 0 ? carry : rest };
}
