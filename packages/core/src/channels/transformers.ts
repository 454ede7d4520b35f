import type { AudioChunk } from '../chunk/audio-chunk';
import { type ByteChunk, createByteChunk } from '../chunk/byte-chunk';
import { type EncodePcmOptions, type SampleFormat, encodePcm } from '../convert/sample-format';
import { SluiceError } from '../errors/sluice-error';
import type { Source } from '../stream/types';
import { type PcmDecodeOptions, pcmSource } from '../adapters/pcm-codec';

/**
 * Turns a byte stream of newline-delimited JSON into objects, like wasm-sandbox's
 * `StreamTransformer::bytes_to_json_stream`. Records may be split anywhere
 * across chunks (even inside a UTF-8 sequence). A bad line rejects with
 * `E_DECODE` naming its line number.
 */
export async function* bytesToNdjson<T = unknown>(chunks: AsyncIterable<ByteChunk | Uint8Array>): AsyncGenerator<T> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry = '';
  let line = 0;
  const parse = (text: string): T | undefined => {
    line++;
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    try {
      return JSON.parse(trimmed) as T;
    } catch (error) {
      throw SluiceError.wrap(error, 'E_DECODE', `NDJSON line ${line} is not valid JSON`);
    }
  };
  for await (const chunk of chunks) {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.data;
    let text: string;
    try {
      text = carry + decoder.decode(bytes, { stream: true });
    } catch (error) {
      throw SluiceError.wrap(error, 'E_DECODE', `NDJSON near line ${line + 1} is not valid UTF-8`);
    }
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const record = parse(text.slice(start, newline));
      if (record !== undefined) yield record;
      start = newline + 1;
    }
    carry = text.slice(start);
  }
  const rest = carry + decoder.decode();
  const record = parse(rest);
  if (record !== undefined) yield record;
}

/** Turns objects into NDJSON ByteChunks (one record per chunk), the last marked final. */
export async function* ndjsonToBytes(records: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<ByteChunk> {
  const encoder = new TextEncoder();
  let seq = 0;
  let pending: unknown;
  let has = false;
  for await (const record of records) {
    if (has) yield createByteChunk({ data: encoder.encode(`${JSON.stringify(pending)}\n`), seq: seq++ });
    pending = record;
    has = true;
  }
  yield createByteChunk({ data: has ? encoder.encode(`${JSON.stringify(pending)}\n`) : new Uint8Array(0), seq, final: true });
}

/** Decodes raw PCM ByteChunks into an audio Source (any byte boundaries). */
export function bytesToAudio(chunks: AsyncIterable<ByteChunk>, options: PcmDecodeOptions): Source {
  async function* bytes() {
    for await (const chunk of chunks) yield chunk.data;
  }
  return pcmSource(bytes(), options);
}

/** Encodes AudioChunks to raw PCM ByteChunks, keeping `seq`, `final` and `meta`. */
export async function* audioToBytes(
  chunks: AsyncIterable<AudioChunk>,
  sampleFormat: SampleFormat = 's16le',
  options: Omit<EncodePcmOptions, 'out'> = {},
): AsyncGenerator<ByteChunk> {
  for await (const chunk of chunks) {
    const init: { data: Uint8Array; seq: number; final: boolean; meta?: AudioChunk['meta'] } = {
      data: encodePcm(chunk.planes, sampleFormat, options),
      seq: chunk.seq,
      final: chunk.final,
    };
    if (chunk.meta !== undefined) init.meta = chunk.meta;
    yield createByteChunk(init);
  }
}
