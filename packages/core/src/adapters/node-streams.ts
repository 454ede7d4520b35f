import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import type { AudioChunk } from '../chunk/audio-chunk';
import { type AudioFormat, validateFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import type { Sink, Source } from '../stream/types';

/** Exposes a Source as an object-mode Node Readable of AudioChunks (backpressure respected). */
export function sourceToNodeReadable(source: Source): Readable {
  const readable = Readable.from(source, { objectMode: true, highWaterMark: 1 });
  readable.once('close', () => {
    void source.close?.();
  });
  return readable;
}

/** A Source over an object-mode Node Readable of AudioChunks. */
export function nodeReadableSource(readable: Readable, format: AudioFormat): Source {
  const checked = validateFormat(format, 'nodeReadableSource');
  let closed = false;
  return {
    format: checked,
    name: 'node-readable',
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of readable) {
          if (closed) return;
          yield chunk as AudioChunk;
        }
      } catch (error) {
        // close() destroyed the stream under its iterator: the premature close was asked for.
        if (!closed) throw error;
      }
    },
    close() {
      closed = true;
      readable.destroy();
    },
  };
}

/**
 * Writes `payload` to a Node Writable and, when its buffer is full, waits for
 * `drain`. Rejects with `E_IO` if the writable closes first (a client gone)
 * and with `E_TIMEOUT` if it does not drain within `timeoutMs` (a client that
 * stopped reading), destroying it so nothing waits on it any longer. Every
 * listener it adds is removed however it ends: no `MaxListenersExceededWarning`
 * over a long stream.
 */
export function writeToNode(writable: Writable, payload: unknown, options: { timeoutMs?: number } = {}): Promise<void> {
  if (writable.destroyed || writable.writableEnded) {
    return Promise.reject(new SluiceError('E_IO', 'the stream was closed (the reader has gone)'));
  }
  if (writable.write(payload)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = (error?: SluiceError) => {
      writable.off('drain', onDrain);
      writable.off('close', onClose);
      writable.off('error', onError);
      if (timer !== undefined) clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => settle();
    const onClose = () => settle(new SluiceError('E_IO', 'the stream was closed before it took what was written (the reader has gone)'));
    const onError = (error: Error) => settle(SluiceError.wrap(error, 'E_IO', 'the stream failed'));
    writable.on('drain', onDrain);
    writable.on('close', onClose);
    writable.on('error', onError);
    if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
      timer = setTimeout(() => {
        settle(new SluiceError('E_TIMEOUT', `the reader took nothing for ${options.timeoutMs} ms; the stream was closed`));
        writable.destroy();
      }, options.timeoutMs);
    }
  });
}

/**
 * A Sink over a Node Writable. Object-mode writables receive the chunks;
 * byte writables need `encode` to turn a chunk into bytes. `write` waits
 * for `drain` when the writable's buffer is full.
 */
export function nodeWritableSink(writable: Writable, options: { encode?: (chunk: AudioChunk) => Uint8Array; end?: boolean } = {}): Sink {
  let failure: Error | undefined;
  writable.on('error', (error) => {
    failure = error;
  });
  return {
    name: 'node-writable',
    async write(chunk) {
      if (failure !== undefined) throw SluiceError.wrap(failure, 'E_IO', 'Writable failed');
      const payload = options.encode ? options.encode(chunk) : chunk;
      await writeToNode(writable, payload);
    },
    async close() {
      if (options.end === false) return;
      if (writable.writableFinished) return;
      writable.end();
      await once(writable, 'finish');
    },
    abort(reason) {
      writable.destroy(reason instanceof Error ? reason : undefined);
    },
  };
}

/** Exposes a Sink as an object-mode Node Writable of AudioChunks (opened with `format` on first write). */
export function sinkToNodeWritable(sink: Sink, format: AudioFormat): Writable {
  let opened = false;
  return new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(chunk: AudioChunk, _encoding, callback) {
      Promise.resolve()
        .then(async () => {
          if (!opened) {
            opened = true;
            await sink.open?.(format);
          }
          await sink.write(chunk);
        })
        .then(() => callback(), callback);
    },
    final(callback) {
      Promise.resolve()
        .then(() => sink.close())
        .then(() => callback(), callback);
    },
    destroy(error, callback) {
      Promise.resolve()
        .then(() => (error && sink.abort ? sink.abort(error) : undefined))
        .then(
          () => callback(error),
          () => callback(error),
        );
    },
  });
}
