import { CollectSink } from '@sluice/core';
import { expectCode } from '@sluice/config/test-helpers';
import { TtsStream, type WordEvent, speakStreamed } from '@sluice/tts';
import { afterAll, describe, expect, it } from 'vitest';
import { EspeakEngine } from '../src/index';

const engine = new EspeakEngine();
afterAll(async () => {
  await engine.close();
});

function rms(plane: Float32Array): number {
  return Math.sqrt(plane.reduce((sum, v) => sum + v * v, 0) / Math.max(1, plane.length));
}

describe('EspeakEngine (eSpeak-NG in WebAssembly, real synthesis)', () => {
  it('speaks: not silent, longer text gives longer audio, words monotonic and covering every word', async () => {
    const short = new CollectSink();
    await speakStreamed('Hello world.', { engine, sink: short });
    const long = new CollectSink();
    const words: WordEvent[] = [];
    const text = 'Hello world. This is a longer sentence, with a café and 3.14 apples! And one more sentence here.';
    const result = await speakStreamed(text, { engine, sink: long, onWord: (word) => words.push(word) });
    expect(short.frames / 22050).toBeGreaterThan(0.4);
    expect(long.frames).toBeGreaterThan(3 * short.frames);
    expect(rms(long.planes[0] as Float32Array)).toBeGreaterThan(0.01);
    expect(result.speech.audioSeconds).toBeCloseTo(long.frames / 22050, 6);
    const expected = text.match(/[\p{L}\d.]+/gu)?.map((w) => w.replace(/\.$/, '')) ?? [];
    expect(words.map((w) => w.text.replace(/\.$/, ''))).toEqual(expected);
    for (const word of words) expect(text.slice(word.start, word.end)).toBe(word.text);
    expect(
      words.every(
        (w, i) => i === 0 || (w.startSeconds > (words[i - 1] as WordEvent).startSeconds && w.start > (words[i - 1] as WordEvent).start),
      ),
    ).toBe(true);
    expect(words.at(-1)?.endSeconds as number).toBeLessThanOrEqual(long.frames / 22050 + 1e-9);
    // Times are seconds: the last word starts in the last second or so of the audio, not at ×1000 or ×0.001 of it.
    expect(words.at(-1)?.startSeconds as number).toBeGreaterThan(long.frames / 22050 - 2);
  });

  it('speaks at another rate when asked, converted in the worker: the same speech, the same word times', async () => {
    const at24 = new EspeakEngine({ sampleRate: 24000 });
    try {
      expect(at24.sampleRate).toBe(24000);
      const text = 'Converted in the worker thread, not on the event loop.';
      const [native, converted] = [new CollectSink(), new CollectSink()];
      const wordsNative: WordEvent[] = [];
      const wordsConverted: WordEvent[] = [];
      await speakStreamed(text, { engine, sink: native, onWord: (word) => wordsNative.push(word) });
      await speakStreamed(text, { engine: at24, sink: converted, onWord: (word) => wordsConverted.push(word) });
      expect(converted.format?.sampleRate).toBe(24000);
      // Each request to eSpeak converts to ceil(frames × 24000 / 22050) frames: within a few frames (< 0.5 ms) in all.
      expect(Math.abs(converted.frames - (native.frames * 24000) / 22050)).toBeLessThan(12);
      expect(Math.abs(rms(converted.planes[0] as Float32Array) - rms(native.planes[0] as Float32Array))).toBeLessThan(
        0.02 * rms(native.planes[0] as Float32Array),
      );
      expect(wordsConverted.map((w) => w.text)).toEqual(wordsNative.map((w) => w.text));
      // Times are eSpeak's own; they are whole milliseconds, and segments move by the rounding of frames: within 2 ms.
      for (const [i, word] of wordsConverted.entries()) {
        expect(Math.abs(word.startSeconds - (wordsNative[i] as WordEvent).startSeconds)).toBeLessThan(2e-3);
      }
    } finally {
      await at24.close();
    }
    expect(() => new EspeakEngine({ sampleRate: 100 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it('maps eSpeak’s code-point positions to string offsets past emoji', async () => {
    const words: WordEvent[] = [];
    const text = 'Party 🎉 time now.';
    await speakStreamed(text, { engine, sink: new CollectSink(), onWord: (word) => words.push(word) });
    expect(words.map((w) => w.text)).toContain('now');
    for (const word of words) expect(text.slice(word.start, word.end)).toBe(word.text);
  });

  it('fills in words eSpeak gives no event for ("the"), with interpolated times marked estimated', async () => {
    const words: WordEvent[] = [];
    await speakStreamed('Hello from the command line.', { engine, sink: new CollectSink(), onWord: (word) => words.push(word) });
    expect(words.map((w) => w.text)).toEqual(['Hello', 'from', 'the', 'command', 'line']);
    const [, from, the, command] = words as [WordEvent, WordEvent, WordEvent, WordEvent];
    expect(the.estimated).toBe(true);
    expect(from.estimated).toBeUndefined();
    expect(the.startSeconds).toBeGreaterThan(from.startSeconds);
    expect(the.startSeconds).toBeLessThan(command.startSeconds);
  });

  it('rate changes the duration', async () => {
    const normal = new CollectSink();
    const fast = new CollectSink();
    await speakStreamed('The same words at two speeds.', { engine, sink: normal });
    await speakStreamed('The same words at two speeds.', { engine, sink: fast, rate: 2 });
    expect(fast.frames).toBeLessThan(0.7 * normal.frames);
  });

  it('lists voices, and an unknown voice is E_TTS_VOICE with close matches', async () => {
    const voices = await engine.voices();
    expect(voices.length).toBeGreaterThan(50);
    expect(voices.find((v) => v.id === 'gmw/en-US')).toMatchObject({ name: 'English (America)', language: 'en-us' });
    const error = await speakStreamed('Hello.', { engine, sink: new CollectSink(), voice: 'gmw/en-UZ' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_TTS_VOICE' });
    expect((error as Error).message).toMatch(/gmw\/en-US/);
  });

  it('closing a stream mid-way cancels eSpeak and the engine serves the next request', async () => {
    const stream = new TtsStream({ engine });
    stream.feed('A long text that will not be heard to the end. '.repeat(20));
    stream.done();
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await stream.close();
    const after = new CollectSink();
    await speakStreamed('Still working.', { engine, sink: after });
    expect(after.frames).toBeGreaterThan(0);
  });

  it('empty text gives no audio; SSML is refused with E_UNSUPPORTED', async () => {
    const sink = new CollectSink();
    await speakStreamed('  ', { engine, sink });
    expect(sink.frames).toBe(0);
    await expectCode(speakStreamed('<speak>Hi.</speak>', { engine, sink: new CollectSink(), textType: 'ssml' }), 'E_UNSUPPORTED');
  });
});
