import { describe, expect, it } from 'vitest';
import {
  ChunkStamper,
  SluiceError,
  StreamingContext,
  createAudioChunk,
  createByteChunk,
  describeFormat,
  validateFormat,
  withChunk,
} from '../src/index';
import { expectThrowCode } from '@sluice/config/test-helpers';

describe('the chunk contract', () => {
  const format = { sampleRate: 44100, channels: 2 };

  it('builds a chunk with defaults and keeps the planes', () => {
    const planes = [new Float32Array(4), new Float32Array(4)];
    const chunk = createAudioChunk({ format, planes });
    expect(chunk).toMatchObject({ frames: 4, seq: 0, startFrame: 0, final: false });
    expect(chunk.planes[0]).toBe(planes[0]);
  });

  it('rejects unequal channel lengths, naming the channel', () => {
    const error = expectThrowCode(() => createAudioChunk({ format, planes: [new Float32Array(4), new Float32Array(3)] }), 'E_FORMAT');
    expect(error.message).toMatch(/channel 1 has 3/);
  });

  it('rejects a plane count that does not match the format', () => {
    expectThrowCode(() => createAudioChunk({ format, planes: [new Float32Array(4)] }), 'E_FORMAT');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, 0, -44100, 44100.5])('rejects sample rate %s', (sampleRate) => {
    const error = expectThrowCode(() => validateFormat({ sampleRate, channels: 2 }), 'E_FORMAT');
    expect(error.message).toContain('sampleRate');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, 0, 1.5, 65])('rejects channel count %s', (channels) => {
    expectThrowCode(() => validateFormat({ sampleRate: 48000, channels }), 'E_FORMAT');
  });

  it('rejects stems that do not match the mix', () => {
    const planes = [new Float32Array(4), new Float32Array(4)];
    expectThrowCode(() => createAudioChunk({ format, planes, stems: { vocals: [new Float32Array(5), new Float32Array(5)] } }), 'E_FORMAT');
  });

  it('rejects negative or fractional seq', () => {
    const planes = [new Float32Array(1), new Float32Array(1)];
    expectThrowCode(() => createAudioChunk({ format, planes, seq: -1 }), 'E_INVALID_ARGUMENT');
    expectThrowCode(() => createAudioChunk({ format, planes, seq: 0.5 }), 'E_INVALID_ARGUMENT');
  });

  it('withChunk shares samples and replaces fields', () => {
    const chunk = createAudioChunk({ format, planes: [new Float32Array(2), new Float32Array(2)], meta: { a: 1 } });
    const next = withChunk(chunk, { seq: 3, final: true });
    expect(next).toMatchObject({ seq: 3, final: true, frames: 2, meta: { a: 1 } });
    expect(next.planes).toBe(chunk.planes);
  });

  it('stamps seq and startFrame in order', () => {
    const stamper = new ChunkStamper(format);
    const a = stamper.stamp([new Float32Array(3), new Float32Array(3)]);
    const b = stamper.stamp([new Float32Array(5), new Float32Array(5)], true);
    expect([a.seq, a.startFrame, b.seq, b.startFrame, b.final]).toEqual([0, 0, 1, 3, true]);
  });

  it('validates byte chunks', () => {
    expect(createByteChunk({ data: new Uint8Array(3), seq: 2 }).seq).toBe(2);
    expectThrowCode(() => createByteChunk({ data: [1, 2] as unknown as Uint8Array }), 'E_INVALID_ARGUMENT');
  });

  it('describes formats and derives context timings', () => {
    expect(describeFormat({ sampleRate: 16000, channels: 1 })).toBe('16000 Hz mono');
    const context = new StreamingContext({ sampleRate: 44100, channels: 2, chunkFrames: 1024 });
    expect(context.chunkDurationMs).toBeCloseTo(23.22, 2);
    expect(context.secondsToFrames(1.5)).toBe(66150);
  });
});

describe('SluiceError', () => {
  it('carries a stable code, a cause and JSON', () => {
    const cause = new Error('disk full');
    const error = new SluiceError('E_IO', 'write failed', { cause, details: { path: '/x' } });
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({ name: 'SluiceError', code: 'E_IO', message: 'write failed', details: { path: '/x' } });
    expect(SluiceError.hasCode(error, 'E_IO')).toBe(true);
  });

  it('recognises errors from another copy of the package through the global symbol', () => {
    const foreign = Object.assign(new Error('from another install'), { code: 'E_IO' });
    Object.defineProperty(foreign, Symbol.for('@sluice/core/SluiceError'), { value: true });
    expect(SluiceError.isInstance(foreign)).toBe(true);
    expect(SluiceError.isInstance(new Error('plain'))).toBe(false);
  });

  it('wrap keeps the first SluiceError and wraps anything else', () => {
    const original = new SluiceError('E_DECODE', 'bad bytes');
    expect(SluiceError.wrap(original, 'E_SINK', 'ignored')).toBe(original);
    const wrapped = SluiceError.wrap(new TypeError('boom'), 'E_SINK', 'Sink failed');
    expect(wrapped.code).toBe('E_SINK');
    expect(wrapped.message).toBe('Sink failed: boom');
  });
});
