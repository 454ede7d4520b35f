import { Readable, Writable } from 'node:stream';
import { pipeline as nodePipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  type AudioChunk,
  CollectSink,
  PcmDecoder,
  ToneSource,
  encodePcm,
  nodeReadableSource,
  nodeWritableSink,
  writeToNode,
  pcmBytes,
  pcmSource,
  readableStreamSource,
  run,
  sinkToNodeWritable,
  sinkToWritableStream,
  sourceToNodeReadable,
  sourceToReadableStream,
  writableStreamSink,
  createAudioChunk,
} from '../src/index';
import { expectThrowCode, randomInt, seededRandom } from '@sluice/config/test-helpers';

const format = { sampleRate: 8000, channels: 2 };
const tone = () => new ToneSource({ ...format, frames: 5000, chunkFrames: 1000 });

async function reference() {
  const sink = new CollectSink();
  await run(tone(), sink);
  return sink.planes;
}

describe('WHATWG stream adapters', () => {
  it('source → ReadableStream → source round-trips', async () => {
    const sink = new CollectSink();
    await run(readableStreamSource(sourceToReadableStream(tone()), format), sink);
    expect(sink.planes).toEqual(await reference());
  });

  it('pipes a ReadableStream into a sink exposed as a WritableStream', async () => {
    const sink = new CollectSink();
    await sourceToReadableStream(tone()).pipeTo(sinkToWritableStream(sink, format));
    expect(sink.planes).toEqual(await reference());
    expect(sink.format).toEqual(format);
  });

  it('a WritableStream works as a pipeline sink', async () => {
    const chunks: AudioChunk[] = [];
    await run(tone(), writableStreamSink(new WritableStream({ write: (c) => void chunks.push(c) })));
    expect(chunks.map((c) => c.frames)).toEqual([1000, 1000, 1000, 1000, 1000]);
  });
});

describe('Node stream adapters', () => {
  it('source → object-mode Readable → sink exposed as Writable', async () => {
    const sink = new CollectSink();
    await nodePipeline(sourceToNodeReadable(tone()), sinkToNodeWritable(sink, format));
    expect(sink.planes).toEqual(await reference());
  });

  it('an object-mode Readable works as a source and a byte Writable as a sink', async () => {
    const chunks: AudioChunk[] = [];
    for await (const c of tone()) chunks.push(c);
    const collected: Buffer[] = [];
    const writable = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _e, callback) {
        collected.push(chunk);
        setImmediate(callback);
      },
    });
    await run(
      nodeReadableSource(Readable.from(chunks), format),
      nodeWritableSink(writable, { encode: (c) => encodePcm(c.planes, 's16le') }),
    );
    expect(Buffer.concat(collected).length).toBe(5000 * 2 * 2);
  });
});

/** Chunks for ever: a stream that only close() can end. */
function* endless(): Generator<AudioChunk> {
  for (let seq = 0; ; seq++)
    yield createAudioChunk({ format, planes: [new Float32Array(4), new Float32Array(4)], seq, startFrame: seq * 4 });
}

describe('close() on a stream adapter source ends iteration, as every Source promises', () => {
  // The web stream was locked to our reader, so cancelling the stream itself was refused (silently) and chunks went
  // on coming; the Node one was destroyed under its iterator, whose next pull threw ERR_STREAM_PREMATURE_CLOSE.
  it.each([
    [
      'a WHATWG ReadableStream',
      () => {
        const chunks = endless();
        return readableStreamSource(
          new ReadableStream<AudioChunk>({ pull: (controller) => controller.enqueue(chunks.next().value) }),
          format,
        );
      },
    ],
    ['an object-mode Node Readable', () => nodeReadableSource(Readable.from(endless(), { objectMode: true }), format)],
  ])('over %s', async (_kind, make) => {
    const source = make();
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await source.close?.();
    expect((await iterator.next()).done).toBe(true);
  });
});

describe('raw PCM bytes', () => {
  it('decodes bytes arriving in arbitrary pieces into fixed chunks', async () => {
    const planes = await reference();
    const bytes = encodePcm(planes, 'f32le');
    const random = seededRandom(11);
    async function* pieces() {
      for (let offset = 0; offset < bytes.length; ) {
        const size = randomInt(random, 1, 777);
        yield bytes.subarray(offset, offset + size);
        offset += size;
      }
    }
    const sink = new CollectSink();
    const stats = await run(pcmSource(pieces(), { format, sampleFormat: 'f32le', chunkFrames: 512 }), sink);
    expect(sink.planes).toEqual(planes);
    expect(stats.inputChunks).toBe(Math.ceil(5000 / 512));
  });

  it('pcmBytes encodes a source', async () => {
    const out: Uint8Array[] = [];
    for await (const bytes of pcmBytes(tone(), 's24le')) out.push(bytes);
    expect(out.reduce((n, b) => n + b.length, 0)).toBe(5000 * 2 * 3);
  });

  it('a stream that ends inside a frame is an E_DECODE error unless asked to drop it', () => {
    const decoder = new PcmDecoder({ format, sampleFormat: 's16le' });
    decoder.push(new Uint8Array(6));
    expectThrowCode(() => decoder.end(), 'E_DECODE');
    const lenient = new PcmDecoder({ format, sampleFormat: 's16le', trailingBytes: 'drop' });
    lenient.push(new Uint8Array(6));
    expect(lenient.end().frames).toBe(1);
  });
});

describe('writeToNode (issue 17 item 4)', () => {
  it('waits for drain over many writes and leaves no listener behind', async () => {
    const sink = new Writable({
      highWaterMark: 4,
      write(_chunk, _encoding, callback) {
        setImmediate(callback);
      },
    });
    const baseline = { drain: sink.listenerCount('drain'), close: sink.listenerCount('close'), error: sink.listenerCount('error') };
    for (let i = 0; i < 200; i++) await writeToNode(sink, Buffer.alloc(16));
    expect({ drain: sink.listenerCount('drain'), close: sink.listenerCount('close'), error: sink.listenerCount('error') }).toEqual(
      baseline,
    );
  });

  it('rejects with E_IO when the stream closes first and E_TIMEOUT when it never drains', async () => {
    const stuck = () => new Writable({ highWaterMark: 1, write: () => undefined });
    const closing = stuck();
    const pending = writeToNode(closing, Buffer.alloc(8));
    closing.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'E_IO' });
    const slow = stuck();
    await expect(writeToNode(slow, Buffer.alloc(8), { timeoutMs: 50 })).rejects.toMatchObject({ code: 'E_TIMEOUT' });
    expect(slow.destroyed).toBe(true);
    await expect(writeToNode(slow, Buffer.alloc(8))).rejects.toMatchObject({ code: 'E_IO' });
  });
});
