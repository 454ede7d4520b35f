import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AudioChunk, type AudioFormat, CallbackSink, CollectSink, Pipeline, type Source, createAudioChunk } from '@sluice/core';
import { FileSink, FileSource, MultiFileSink } from '@sluice/writers';
import { describe, expect, it } from 'vitest';
import { DspSeparator, OnnxHTDemucs, SeparationProcessor, StemMix, separate } from '../src/index';
import { waveformModel } from './onnx-models';
import { generateSong } from './realistic-mix';

/** A Source over planes in memory, in chunks of `chunkFrames`. */
function planesSource(planes: readonly Float32Array[], sampleRate = 44100, chunkFrames = 4096): Source {
  const format: AudioFormat = { sampleRate, channels: planes.length };
  const length = planes[0]?.length ?? 0;
  return {
    format,
    async *[Symbol.asyncIterator](): AsyncGenerator<AudioChunk> {
      for (let at = 0, seq = 0; at < length; at += chunkFrames, seq++) {
        const end = Math.min(length, at + chunkFrames);
        yield createAudioChunk({ format, planes: planes.map((plane) => plane.slice(at, end)), seq, startFrame: at, final: end === length });
      }
    },
  };
}

async function decode(path: string): Promise<Float32Array[]> {
  const sink = new CollectSink();
  await new Pipeline({ source: await FileSource.open(path), sink }).wait();
  return sink.planes;
}

function worst(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let max = 0;
  a.forEach((plane, c) => {
    expect(plane.length).toBe(b[c]?.length);
    for (let i = 0; i < plane.length; i++) max = Math.max(max, Math.abs((plane[i] as number) - (b[c]?.[i] as number)));
  });
  return max;
}

describe('separation in a pipeline', () => {
  it('file → DSP separation → one stem to FLAC and every stem to WAV files; decoded files match the batch result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sep-'));
    const song = generateSong({ seed: 1, seconds: 3 });
    const input = join(dir, 'song.wav');
    await new Pipeline({ source: planesSource(song.mix), sink: new FileSink(input, { sampleFormat: 'f32le' }) }).wait();
    const model = new DspSeparator({ segmentFrames: 44100 });
    const multi = new MultiFileSink(join(dir, 'stems'), { container: 'wav', sampleFormat: 'f32le' });
    const stats = await new Pipeline({
      source: await FileSource.open(input),
      processors: [new SeparationProcessor(model, { normalize: 'none' })],
      sinks: [new FileSink(join(dir, 'vocals.flac'), { stem: 'vocals' }), multi],
    }).wait();
    expect(stats.frames).toBeGreaterThan(0);
    expect(Object.keys(multi.files).sort()).toEqual(['bass', 'drums', 'other', 'vocals']);
    const batch = await separate(song.mix, { model, normalize: false });
    for (const stem of ['drums', 'bass', 'other', 'vocals'] as const) {
      expect(worst(await decode(multi.files[stem] as string), batch.stems[stem] as Float32Array[])).toBeLessThan(1e-6);
    }
    // FLAC is 16-bit here: within one quantisation step.
    expect(worst(await decode(join(dir, 'vocals.flac')), batch.stems.vocals as Float32Array[])).toBeLessThan(1 / 32768 + 1e-6);
  });

  it('karaoke: StemMix after the separator drops the vocals for the sinks after it', async () => {
    const song = generateSong({ seed: 2, seconds: 1.5 });
    const model = new DspSeparator({ segmentFrames: 22050 });
    const sink = new CollectSink();
    await new Pipeline({
      source: planesSource(song.mix),
      processors: [new SeparationProcessor(model, { normalize: 'none' }), new StemMix({ exclude: ['vocals'] })],
      sink,
    }).wait();
    const batch = await separate(song.mix, { model, normalize: false });
    const karaoke = song.mix.map((plane, c) => plane.map((v, i) => v - (batch.stems.vocals?.[c]?.[i] as number)));
    expect(worst(sink.planes, karaoke)).toBeLessThan(1e-5);
  });

  it('a worker that crashes mid-stream stops the pipeline with E_WORKER, and the file written so far still plays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-crash-'));
    const model = await OnnxHTDemucs.load(waveformModel(4410, [1, 1, 1, 1]));
    const song = generateSong({ seed: 3, seconds: 2 });
    let writes = 0;
    const pipeline = new Pipeline({
      source: planesSource(song.mix, 44100, 1024),
      processors: [new SeparationProcessor(model, { maxInFlight: 1 })],
      sinks: [
        new FileSink(join(dir, 'vocals.wav'), { stem: 'vocals', keepPartial: true }),
        new CallbackSink(() => {
          writes++;
          if (writes === 2) model.crashWorkerForTesting();
        }),
      ],
    });
    const error = await pipeline.wait().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_WORKER' });
    expect(pipeline.state).toBe('failed');
    const written = await decode(join(dir, 'vocals.wav'));
    expect(written[0]?.length).toBeGreaterThan(0);
    await model.close();
  });
});
