import { getEventListeners } from 'node:events';
import { expectCode } from '@sluice/config/test-helpers';
import { describe, expect, it } from 'vitest';
import { type SynthesisEvent, type SynthesizeOptions, type TtsEngine, TtsStream } from '../src/index';

/** An engine that speaks `pieces` 10 ms pieces, one every 5 ms, until aborted, or fails on the text "fail". */
function pacedEngine(pieces = 200): TtsEngine {
  return {
    name: 'paced',
    sampleRate: 16000,
    maxSegmentChars: 200,
    supportsSsml: false,
    voices: async () => [],
    async *synthesize(text: string, _options?: SynthesizeOptions, signal?: AbortSignal): AsyncIterable<SynthesisEvent> {
      if (text.trim() === 'fail.') throw new Error('the service fell over');
      for (let i = 0; i < pieces && !signal?.aborted; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield { type: 'audio', samples: new Float32Array(160).fill(0.1) };
      }
    },
  };
}

async function drain(stream: TtsStream): Promise<number> {
  let frames = 0;
  for await (const chunk of stream) frames += chunk.frames;
  return frames;
}

// With no 'error' listener, a failure reaches the consumer through its pull and waitUntilDone() only: emitting
// 'error' to nobody threw, and from an abort signal's handler that was an uncaught exception (vitest fails the run
// on one), while waitUntilDone() never settled.
describe('how a TtsStream ends, with no error listener anywhere here', () => {
  it('an abort signal rejects the pull and waitUntilDone() with E_ABORTED, and nothing is thrown elsewhere', async () => {
    const controller = new AbortController();
    const stream = new TtsStream({ engine: pacedEngine(), signal: controller.signal });
    stream.feed('Something long enough to still be going when the abort comes.');
    stream.done();
    setTimeout(() => controller.abort(), 30);
    await expectCode(drain(stream), 'E_ABORTED');
    await expectCode(stream.waitUntilDone(), 'E_ABORTED');
  });

  it('an abort while nobody pulls settles waitUntilDone() at once', async () => {
    const controller = new AbortController();
    const stream = new TtsStream({ engine: pacedEngine(), signal: controller.signal });
    stream.feed('Nobody reads this one.');
    stream.done();
    controller.abort();
    await expectCode(stream.waitUntilDone(), 'E_ABORTED');
  });

  it('a failing engine rejects the pull and waitUntilDone() with E_TTS_SERVICE naming the text', async () => {
    const stream = new TtsStream({ engine: pacedEngine() });
    stream.feed('fail.');
    stream.done();
    const error = await expectCode(drain(stream), 'E_TTS_SERVICE');
    expect(error.message).toContain('[0, 5)');
    await expectCode(stream.waitUntilDone(), 'E_TTS_SERVICE');
  });

  it('a long-lived signal keeps no listener of the streams that ended (done, closed or failed)', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 5; i++) {
      const spoken = new TtsStream({ engine: pacedEngine(2), signal: controller.signal });
      spoken.feed('Hi.');
      spoken.done();
      expect(await drain(spoken)).toBe(320);
      const closed = new TtsStream({ engine: pacedEngine(), signal: controller.signal });
      closed.feed('Hi.');
      closed.done();
      const iterator = closed[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      await closed.close();
      const failed = new TtsStream({ engine: pacedEngine(), signal: controller.signal });
      failed.feed('fail.');
      failed.done();
      await expectCode(drain(failed), 'E_TTS_SERVICE');
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('a listener still hears the error once', async () => {
    const stream = new TtsStream({ engine: pacedEngine() });
    const heard: string[] = [];
    stream.on('error', (error) => heard.push(error.code));
    stream.feed('fail.');
    stream.done();
    await expectCode(drain(stream), 'E_TTS_SERVICE');
    expect(heard).toEqual(['E_TTS_SERVICE']);
  });
});
