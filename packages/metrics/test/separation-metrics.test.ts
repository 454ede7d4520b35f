import { CallbackSource, GainProcessor, NoiseSource, Pipeline, ToneSource, createAudioChunk } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { MetricsSink, SeparationMetrics, formatMetricsTable, metricsToJson, siSdr } from '../src/index';
import { expectCode, seededRandom } from '@sluice/config/test-helpers';

const noise = (seed: number, n: number) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random() - 0.5);
};

describe('SeparationMetrics', () => {
  it('scores stems by name, per stem and overall, with optional BSS-Eval, as a table and JSON', async () => {
    const n = 8000;
    const references = { vocals: [noise(1, n), noise(2, n)], drums: [noise(3, n), noise(4, n)] };
    const estimates = {
      vocals: references.vocals.map((p, c) => p.map((v, i) => v + 0.1 * ((references.drums[c] as Float32Array)[i] as number))),
      drums: references.drums.map((p) => p.map((v) => 0.9 * v)),
    };
    const report = await new SeparationMetrics({ bss: { sampleRate: 4000, windowSeconds: 1, hopSeconds: 1 } }).compute(
      estimates,
      references,
    );
    expect(Object.keys(report.stems)).toEqual(['vocals', 'drums']);
    expect(report.stems.vocals?.siSdr).toBeCloseTo(siSdr(estimates.vocals, references.vocals), 12);
    expect(report.stems.drums?.siSdr).toBeGreaterThan(100);
    expect(report.stems.vocals?.bss?.sir).toBeGreaterThan(10);
    expect(report.overall.siSdr).toBeCloseTo(((report.stems.vocals?.siSdr as number) + (report.stems.drums?.siSdr as number)) / 2, 9);
    const table = formatMetricsTable(report);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toMatch(/^stem\s+SI-SDR/);
    expect(JSON.stringify(metricsToJson(report))).toContain('"vocals"');
  });

  it('a missing estimate stem is an error naming it', async () => {
    const error = await expectCode(
      new SeparationMetrics().compute({ bass: new Float32Array(4) }, { vocals: new Float32Array(4) }),
      'E_INVALID_ARGUMENT',
    );
    expect(error.message).toMatch(/vocals/);
  });
});

describe('MetricsSink', () => {
  it('scores a pipeline output against a reference source as it runs, whatever the chunk sizes', async () => {
    const format = { sampleRate: 16000, channels: 1 };
    const updates: number[] = [];
    const sink = new MetricsSink({
      reference: new NoiseSource({ ...format, frames: 20_000, chunkFrames: 777, seed: 5 }),
      onUpdate: (m) => updates.push(m.siSdr),
    });
    // The output is the same noise, at a different gain and in other chunk sizes: SI-SDR is huge.
    await new Pipeline({
      source: new NoiseSource({ ...format, frames: 20_000, chunkFrames: 1024, seed: 5 }),
      processors: [new GainProcessor(0.25)],
      sink,
    }).wait();
    expect(sink.metrics.frames).toBe(20_000);
    expect(sink.metrics.siSdr).toBeGreaterThan(100);
    expect(updates.length).toBeGreaterThan(10);
    expect(sink.unmatchedFrames).toBe(0);
  });

  it('compares a chosen stem and reports output beyond the reference as unmatched', async () => {
    const format = { sampleRate: 8000, channels: 1 };
    const vocals = noise(9, 3000);
    const source = new CallbackSource([createAudioChunk({ format, planes: [noise(10, 3000)], stems: { vocals: [vocals] } })], format);
    const sink = new MetricsSink({ reference: new CallbackSource([[vocals.subarray(0, 2000)]], format), stem: 'vocals' });
    await new Pipeline({ source, sink }).wait();
    expect(sink.metrics.frames).toBe(2000);
    expect(sink.unmatchedFrames).toBe(1000);
    expect(sink.metrics.siSdr).toBeGreaterThan(100);
  });

  it('refuses a reference in another format', async () => {
    const sink = new MetricsSink({ reference: new ToneSource({ sampleRate: 8000, frames: 10 }) });
    await expectCode(new Pipeline({ source: new ToneSource({ sampleRate: 16000, frames: 10 }), sink }).wait(), 'E_FORMAT');
  });
});
