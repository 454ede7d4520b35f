import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { useServer } from './helpers';

const { url, server } = useServer();

function wavFrames(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // RIFF header, fmt chunk, then data: 16-bit mono, so frames = (bytes after the 44-byte header) / 2.
  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
  expect(view.getUint16(22, true)).toBe(1);
  expect(view.getUint32(24, true)).toBe(24000);
  return (bytes.length - 44) / 2;
}

describe('load', () => {
  it('50 concurrent speech streams all complete, each a whole WAV, and memory settles back', async () => {
    // A collection on demand, so that what is measured is live memory, not garbage waiting.
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const input = 'Fifty voices at once. Each one streams its own sentences to its own client.';
    const round = () =>
      Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const response = await fetch(`${url()}/v1/audio/speech`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ input: `${input} Number ${i}.`, voice: 'alloy', response_format: 'wav' }),
          });
          // Keep only the figures: the test must not hold the audio it measures the server for.
          return { status: response.status, seconds: wavFrames(new Uint8Array(await response.arrayBuffer())) / 24000 };
        }),
      );
    // The first round also pays one-time costs (compiled code, encoder and route caches): measure the second.
    await round();
    const before = live();
    const responses = await round();
    for (const { status, seconds } of responses) {
      expect(status).toBe(200);
      expect(seconds).toBeGreaterThan(3);
    }
    expect(server().context.slots.count('speech')).toBe(0);
    // Nothing is held per finished stream: the live heap and buffers return to where they were (50 streams' audio
    // is ~20 MB). "Return" is given up to 5 s: on a loaded machine the last sockets and worker messages of the
    // round are still being let go when the last response ends.
    const bound = 16 * 2 ** 20;
    let after = live();
    for (let tries = 0; tries < 25 && after - before >= bound; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = live();
    }
    console.info(`live memory before ${(before / 2 ** 20).toFixed(1)} MB, after ${(after / 2 ** 20).toFixed(1)} MB`);
    expect(after - before).toBeLessThan(bound);
    const metrics = await (await fetch(`${url()}/metrics`)).text();
    expect(metrics).toMatch(/sluice_active_streams 0/);
  });
});
