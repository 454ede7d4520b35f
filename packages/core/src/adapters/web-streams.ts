import type { AudioChunk } from '../chunk/audio-chunk';
import { type AudioFormat, validateFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import type { Sink, Source } from '../stream/types';

/**
 * Exposes a Source as a WHATWG ReadableStream of chunks (pull-based: the
 * source is read only as fast as the stream is consumed). For interop at the
 * edges; inside pipelines, async iteration is several times cheaper per chunk.
 */
export function sourceToReadableStream(source: Source): ReadableStream<AudioChunk> {
  let iterator: AsyncIterator<AudioChunk> | undefined;
  return new ReadableStream<AudioChunk>(
    {
      async pull(controller) {
        iterator ??= source[Symbol.asyncIterator]();
        const result = await iterator.next();
        if (result.done) {
          controller.close();
          await source.close?.();
        } else {
          controller.enqueue(result.value);
        }
      },
      async cancel() {
        await iterator?.return?.();
        await source.close?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** A Source over a WHATWG ReadableStream of AudioChunks. */
export function readableStreamSource(stream: ReadableStream<AudioChunk>, format: AudioFormat): Source {
  const checked = validateFormat(format, 'readableStreamSource');
  let reader: ReadableStreamDefaultReader<AudioChunk> | undefined;
  let closed = false;
  return {
    format: checked,
    name: 'readable-stream',
    async *[Symbol.asyncIterator]() {
      reader = stream.getReader();
      try {
        while (!closed) {
          const { done, value } = await reader.read();
          if (done || closed) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
    async close() {
      closed = true;
      // While it is being iterated the stream is locked to our reader, which refuses stream.cancel(): cancel
      // through the reader then.
      await (reader ?? stream).cancel().catch(() => {});
    },
  };
}

/** A Sink that writes chunks into a WHATWG WritableStream, waiting for its backpressure. */
export function writableStreamSink(stream: WritableStream<AudioChunk>): Sink {
  const writer = stream.getWriter();
  return {
    name: 'writable-stream',
    async write(chunk) {
      await writer.ready;
      await writer.write(chunk);
    },
    async close() {
      await writer.close();
    },
    async abort(reason) {
      await writer.abort(reason).catch(() => {});
    },
  };
}

/** Exposes a Sink as a WHATWG WritableStream (opened with `format` on first write). */
export function sinkToWritableStream(sink: Sink, format: AudioFormat): WritableStream<AudioChunk> {
  let opened = false;
  return new WritableStream<AudioChunk>(
    {
      async write(chunk) {
        if (!opened) {
          opened = true;
          await sink.open?.(format);
        }
        await sink.write(chunk);
      },
      async close() {
        await sink.close();
      },
      async abort(reason) {
        await (sink.abort ? sink.abort(reason) : sink.close());
      },
    },
    { highWaterMark: 1 },
  );
}

/** Reads a whole ReadableStream of bytes (e.g. a `fetch` body) as an async iterable, with a size cap. */
export async function* iterateByteStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.length;
      if (total > maxBytes) throw new SluiceError('E_CHUNK_TOO_LARGE', `Stream exceeded ${maxBytes} bytes`);
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
