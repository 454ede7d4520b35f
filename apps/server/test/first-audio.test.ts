import { createAudioChunk } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { FirstAudioFirst } from '../src/routes/first-audio';

const format = { sampleRate: 1000, channels: 1 };
const chunk = (seconds: number) => createAudioChunk({ format, planes: [new Float32Array(seconds * format.sampleRate)] });

describe('FirstAudioFirst: a stream ahead of its listener lets new streams through first', () => {
  it('holds a stream that is ahead until the waiting one has its first audio; order, not time', async () => {
    const gate = new FirstAudioFirst({ aheadSeconds: 2, maxWaitMs: 60_000 });
    const old = gate.stage();
    old.open(format);
    await old.process(chunk(1));
    await old.process(chunk(10)); // now ten seconds ahead of real time
    expect(gate.pending).toBe(0);
    const fresh = gate.stage();
    fresh.open(format);
    expect(gate.pending).toBe(1);
    const order: string[] = [];
    const held = old.process(chunk(1)).then(() => order.push('old'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    await fresh.process(chunk(1)).then(() => order.push('fresh'));
    await held;
    expect(order).toEqual(['fresh', 'old']);
    expect(gate.pending).toBe(0);
  });

  it('never holds a stream that is not ahead, nor one for longer than maxWaitMs; a stream that ends before any audio stops being waited for', async () => {
    const gate = new FirstAudioFirst({ aheadSeconds: 2, maxWaitMs: 10 });
    const playing = gate.stage();
    playing.open(format);
    await playing.process(chunk(0.5));
    const waiting = gate.stage();
    waiting.open(format);
    // Half a second of audio is not ahead: passes at once.
    await playing.process(chunk(0.5));
    await playing.process(chunk(10));
    // Ahead, and the other never starts: released by maxWaitMs instead of waiting for ever (a hang guard, not a timing).
    await expect(playing.process(chunk(1))).resolves.toMatchObject({ frames: 1000 });
    waiting.release();
    waiting.release(); // idempotent
    expect(gate.pending).toBe(0);
  });
});
