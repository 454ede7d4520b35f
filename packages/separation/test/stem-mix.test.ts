import { expectCode } from '@sluice/config/test-helpers';
import { CallbackSource, CollectSink, Pipeline, ToneSource, createAudioChunk } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { StemMix, StemSelect } from '../src/index';

const format = { sampleRate: 8000, channels: 2 };
const stem = (value: number) => [new Float32Array(100).fill(value), new Float32Array(100).fill(value / 2)];
const chunk = () =>
  createAudioChunk({
    format,
    planes: stem(1 + 2 + 4 + 8),
    stems: { drums: stem(1), bass: stem(2), other: stem(4), vocals: stem(8) },
    final: true,
  });

async function through(processor: StemMix) {
  const sink = new CollectSink();
  await new Pipeline({ source: new CallbackSource([chunk()], format), processors: [processor], sink }).wait();
  return sink;
}

describe('StemMix and StemSelect', () => {
  it('karaoke: everything but the vocals', async () => {
    const sink = await through(new StemMix({ exclude: ['vocals'] }));
    expect(sink.planes[0]?.[10]).toBe(7);
    expect(sink.planes[1]?.[10]).toBe(3.5);
    expect(Object.keys(sink.stems)).toEqual(['drums', 'bass', 'other', 'vocals']);
  });

  it('selects one stem, weights stems, and can drop them', async () => {
    expect((await through(new StemSelect('vocals'))).planes[0]?.[0]).toBe(8);
    const weighted = await through(new StemMix({ include: ['bass', 'drums'], gains: { bass: 0.5 }, keepStems: false }));
    expect(weighted.planes[0]?.[0]).toBe(2);
    expect(weighted.stems).toEqual({});
  });

  it('refuses chunks without stems and unknown stems', async () => {
    await expectCode(
      new Pipeline({ source: new ToneSource({ frames: 10 }), processors: [new StemSelect('vocals')], sink: new CollectSink() }).wait(),
      'E_INVALID_ARGUMENT',
    );
    const error = await expectCode(through(new StemSelect('guitar')), 'E_INVALID_ARGUMENT');
    expect(error.message).toMatch(/no stem guitar/);
    expect(() => new StemMix({ gains: { bass: Number.NaN } })).toThrow(/finite/);
  });
});
