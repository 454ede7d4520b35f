import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AudioChunk,
  type ByteChunk,
  ChannelManager,
  FileChannel,
  MemoryChannel,
  StreamingFactory,
  type StreamingChannel,
  audioToBytes,
  bytesToAudio,
  bytesToNdjson,
  createAudioChunk,
  createByteChunk,
  decodeChunkRecord,
  encodeChunkRecord,
  ndjsonToBytes,
} from '../src/index';
import { expectCode, randomInt, seededRandom } from '@sluice/config/test-helpers';

async function drain<T>(channel: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of channel) out.push(chunk);
  return out;
}

const kinds = [
  [
    'memory',
    (id: string, budgetBytes?: number, maxChunkBytes?: number) => new MemoryChannel<ByteChunk>(id, { budgetBytes, maxChunkBytes }),
  ],
  ['file', (id: string, budgetBytes?: number, maxChunkBytes?: number) => new FileChannel<ByteChunk>(id, { budgetBytes, maxChunkBytes })],
] as const;

describe.each(kinds)('%s channel', (_kind, make) => {
  it('delivers bytes in order, splits large chunks, ends on final', async () => {
    const channel = make('a', 1024, 100);
    const payload = Uint8Array.from({ length: 350 }, (_, i) => i & 0xff);
    const sending = (async () => {
      await channel.send(createByteChunk({ data: payload.subarray(0, 50), seq: 0 }));
      await channel.send(createByteChunk({ data: payload.subarray(50), seq: 1, final: true, meta: { part: 'tail' } }));
    })();
    const received = await drain(channel);
    await sending;
    expect(received.map((c) => c.data.length)).toEqual([50, 100, 100, 100]);
    expect(received.map((c) => c.seq)).toEqual([0, 1, 2, 3]);
    expect(received.map((c) => c.final)).toEqual([false, false, false, true]);
    expect(received[3]?.meta).toEqual({ part: 'tail' });
    expect(Buffer.concat(received.map((c) => c.data))).toEqual(Buffer.from(payload));
    const stats = channel.stats();
    expect(stats).toMatchObject({ bytesSent: 350, bytesReceived: 350, chunksSent: 4, chunksReceived: 4, bufferedBytes: 0 });
    expect(stats.averageChunkSize).toBeCloseTo(87.5);
  });

  it('never buffers more than its budget; the sender waits', async () => {
    const channel = make('b', 256, 64);
    const random = seededRandom(1);
    let maxBuffered = 0;
    const total = 200;
    const sending = (async () => {
      for (let seq = 0; seq < total; seq++) {
        await channel.send(
          createByteChunk({ data: new Uint8Array(randomInt(random, 1, 64)).fill(seq & 0xff), seq, final: seq === total - 1 }),
        );
        maxBuffered = Math.max(maxBuffered, channel.stats().bufferedBytes);
      }
    })();
    let count = 0;
    while ((await channel.receive()) !== null) {
      count++;
      if (count % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await sending;
    expect(count).toBe(total);
    expect(maxBuffered).toBeLessThanOrEqual(256);
    expect(channel.stats().blockedSeconds).toBeGreaterThan(0);
  });

  it('a consumer that leaves its loop early cancels: the waiting send and later ones fail with E_CLOSED', async () => {
    const channel = make('leave', 64, 16);
    const sent: number[] = [];
    const sending = (async () => {
      for (let seq = 0; seq < 100; seq++) {
        await channel.send(createByteChunk({ data: new Uint8Array(16).fill(seq), seq }));
        sent.push(seq);
      }
    })();
    for await (const chunk of channel) {
      if (chunk.seq === 1) break;
    }
    // Without the cancel, the sender would wait for room for ever (the budget holds four chunks).
    await expectCode(sending, 'E_CLOSED');
    expect(sent.length).toBeLessThan(100);
    await expectCode(channel.sendBytes(new Uint8Array(1)), 'E_CLOSED');
  });

  it('a throw in the consumer loop cancels too; reading to the end does not', async () => {
    const thrown = make('throw', 64, 16);
    void thrown.send(createByteChunk({ data: new Uint8Array(16), seq: 0 }));
    await expect(
      (async () => {
        for await (const _chunk of thrown) throw new Error('the consumer failed');
      })(),
    ).rejects.toThrow('the consumer failed');
    await expectCode(thrown.send(createByteChunk({ data: new Uint8Array(16), seq: 1 })), 'E_CLOSED');
    const whole = make('whole');
    await whole.send(createByteChunk({ data: new Uint8Array(4), seq: 0, final: true }));
    expect(await drain(whole)).toHaveLength(1);
    expect(whole.stats()).toMatchObject({ chunksReceived: 1 });
  });

  it('rejects gaps, sends after the end, and reports aborts to both sides', async () => {
    const channel = make('c');
    await channel.send(createByteChunk({ data: new Uint8Array(1), seq: 0 }));
    await expectCode(channel.send(createByteChunk({ data: new Uint8Array(1), seq: 5 })), 'E_SEQUENCE');
    await channel.sendBytes(new Uint8Array(2), true);
    await expectCode(channel.send(createByteChunk({ data: new Uint8Array(1), seq: 2 })), 'E_CLOSED');
    // Nobody drained it: abort() releases its storage.
    channel.abort();
    const aborted = make('d');
    const waiting = aborted.receive();
    aborted.abort(new Error('consumer gone'));
    await expectCode(waiting, 'E_ABORTED');
    await expectCode(aborted.sendBytes(new Uint8Array(1)), 'E_ABORTED');
  });
});

describe('audio through channels', () => {
  it.each(['memory', 'file'] as const)('%s: audio chunks with stems are split by frames and reassembled exactly', async (kind) => {
    const format = { sampleRate: 8000, channels: 2 };
    const random = seededRandom(3);
    const make = () => Float32Array.from({ length: 1000 }, () => random());
    const planes = [make(), make()];
    const stems = { vocals: [make(), make()] };
    const channel: StreamingChannel<AudioChunk> =
      kind === 'memory' ? new MemoryChannel('audio', { maxChunkBytes: 4096 }) : new FileChannel('audio', { maxChunkBytes: 4096 });
    const sending = channel.send(createAudioChunk({ format, planes, stems, final: true, startFrame: 0 }));
    const received = await drain(channel);
    await sending;
    expect(received.length).toBe(4);
    expect(received.map((c) => c.startFrame)).toEqual([0, 256, 512, 768]);
    const joined = (pick: (c: AudioChunk) => Float32Array) => Float32Array.from(received.flatMap((c) => Array.from(pick(c))));
    expect(joined((c) => c.planes[1] as Float32Array)).toEqual(planes[1]);
    expect(joined((c) => c.stems?.vocals?.[0] as Float32Array)).toEqual(stems.vocals[0]);
  });

  it('the record codec round-trips audio and bytes', () => {
    const audio = createAudioChunk({
      format: { sampleRate: 16000, channels: 1 },
      planes: [Float32Array.from([0.5, -0.25])],
      seq: 4,
      startFrame: 9,
      meta: { word: 'hi' },
    });
    expect(decodeChunkRecord(encodeChunkRecord(audio))).toEqual(audio);
    const bytes = createByteChunk({ data: Uint8Array.from([1, 2, 3]), seq: 1, final: true });
    expect(decodeChunkRecord(encodeChunkRecord(bytes))).toEqual(bytes);
  });
});

describe('file channel storage', () => {
  it('spools to a temp file that is removed at the end and stays small when the reader keeps up', async () => {
    const channel = new FileChannel<ByteChunk>('spool', { maxChunkBytes: 1024 });
    for (let seq = 0; seq < 50; seq++) {
      await channel.sendBytes(new Uint8Array(1000).fill(seq), seq === 49);
      const chunk = await channel.receive();
      expect(chunk?.data[0]).toBe(seq);
      if (seq === 10) expect(existsSync(channel.path)).toBe(true);
    }
    expect(await channel.receive()).toBeNull();
    expect(existsSync(channel.path)).toBe(false);
  });
});

describe('many channels in parallel', () => {
  it('run independently with their own stats', async () => {
    const manager = new ChannelManager();
    const channels = Array.from({ length: 10 }, (_, i) =>
      manager.createChannel<ByteChunk>(`stream-${i}`, { budgetBytes: 512, maxChunkBytes: 128 }),
    );
    expect(manager.list()).toHaveLength(10);
    expect(() => manager.createChannel('stream-0')).toThrow(/already exists/);
    const results = await Promise.all(
      channels.map(async (channel, i) => {
        const sending = (async () => {
          for (let k = 0; k < 100; k++) await channel.sendBytes(new Uint8Array(i + 1).fill(i), k === 99);
        })();
        const received = await drain(channel);
        await sending;
        return { chunks: received.length, allMine: received.every((c) => c.data.every((b) => b === i)) };
      }),
    );
    results.forEach((result, i) => {
      expect(result).toEqual({ chunks: 100, allMine: true });
      expect(channels[i]?.stats().bytesReceived).toBe(100 * (i + 1));
    });
    expect(manager.get('stream-3')).toBe(channels[3]);
    manager.closeAll();
    expect(manager.list()).toEqual([]);
    expect(StreamingFactory.createMemoryChannel('x').id).toBe('x');
  });
});

describe('transformers', () => {
  it('bytesToNdjson reassembles records split anywhere, including inside UTF-8 characters', async () => {
    const records = [{ word: 'héllo', t: 0.1 }, { word: '日本', t: 0.2 }, { n: 3 }];
    const text = new TextEncoder().encode(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    for (let size = 1; size <= 7; size++) {
      const pieces: Uint8Array[] = [];
      for (let offset = 0; offset < text.length; offset += size) pieces.push(text.subarray(offset, offset + size));
      expect(await drain(bytesToNdjson(pieces as unknown as AsyncIterable<Uint8Array>))).toEqual(records);
    }
  });

  it('bytesToNdjson names the bad line', async () => {
    const bytes = new TextEncoder().encode('{"ok":1}\n{not json}\n');
    const error = await expectCode(drain(bytesToNdjson([bytes] as unknown as AsyncIterable<Uint8Array>)), 'E_DECODE');
    expect(error.message).toMatch(/line 2/);
  });

  it('ndjsonToBytes and back', async () => {
    const records = [{ a: 1 }, { b: [2] }];
    expect(await drain(bytesToNdjson(ndjsonToBytes(records)))).toEqual(records);
  });

  it('audio → PCM bytes → audio through a channel', async () => {
    const format = { sampleRate: 8000, channels: 2 };
    const planes = [
      Float32Array.from({ length: 3000 }, (_, i) => (Math.round(Math.sin(i) * 1000) + 0) / 32768),
      new Float32Array(3000).fill(0.25),
    ];
    const source = [createAudioChunk({ format, planes, final: true })];
    const channel = new MemoryChannel<ByteChunk>('pcm', { maxChunkBytes: 333 * 4 + 1 });
    const sending = (async () => {
      for await (const chunk of audioToBytes(source as unknown as AsyncIterable<AudioChunk>, 's16le')) await channel.send(chunk);
    })();
    const decoded = await drain(bytesToAudio(channel, { format, sampleFormat: 's16le', chunkFrames: 1000 }));
    await sending;
    expect(decoded.map((c) => c.frames)).toEqual([1000, 1000, 1000, 0]);
    expect(Float32Array.from(decoded.flatMap((c) => Array.from(c.planes[0] as Float32Array)))).toEqual(planes[0]);
  });
});
