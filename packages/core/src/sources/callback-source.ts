import type { AudioChunk, Planes } from '../chunk/audio-chunk';
import { ChunkStamper } from '../chunk/chunk-stamper';
import { type AudioFormat, validateFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import type { Source } from '../stream/types';

/** What a callback may yield: planes, one mono plane, or a whole chunk (re-numbered). */
export type CallbackYield = Planes | Float32Array | AudioChunk;

/** Options for {@link CallbackSource}. */
export interface CallbackSourceOptions extends AudioFormat {
  /** Name for stats and messages. */
  name?: string;
}

type Producer = () => Iterable<CallbackYield> | AsyncIterable<CallbackYield>;

function toPlanes(value: CallbackYield, format: AudioFormat, index: number): Planes {
  if (value instanceof Float32Array) {
    if (format.channels !== 1) {
      throw new SluiceError(
        'E_FORMAT',
        `CallbackSource: item ${index} is a single Float32Array but the source has ${format.channels} channels; yield one array per channel`,
      );
    }
    return [value];
  }
  if (Array.isArray(value)) return value as Planes;
  if (typeof value === 'object' && value !== null && 'planes' in value) return value.planes;
  throw new SluiceError('E_FORMAT', `CallbackSource: item ${index} is not audio (expected Float32Array[], Float32Array or AudioChunk)`);
}

/**
 * A source fed by a generator (sync or async) or any iterable, like the
 * seed's `CallbackSource(callback=generate_audio, sample_rate, channels)`.
 * Each item is validated and numbered; the last one is marked final.
 *
 * @example
 * ```ts
 * const source = new CallbackSource(function* () {
 *   for (let i = 0; i < 100; i++) yield [new Float32Array(1024), new Float32Array(1024)];
 * }, { sampleRate: 44100, channels: 2 });
 * ```
 */
export class CallbackSource implements Source {
  readonly format: AudioFormat;
  readonly name: string;
  private readonly producer: Producer;

  constructor(producer: Producer | Iterable<CallbackYield> | AsyncIterable<CallbackYield>, options: CallbackSourceOptions) {
    this.format = validateFormat(options, 'CallbackSource');
    this.name = options.name ?? 'callback-source';
    this.producer = typeof producer === 'function' ? producer : () => producer;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    const stamper = new ChunkStamper(this.format);
    const iterable = this.producer();
    const iterator =
      Symbol.asyncIterator in iterable
        ? (iterable as AsyncIterable<CallbackYield>)[Symbol.asyncIterator]()
        : (iterable as Iterable<CallbackYield>)[Symbol.iterator]();
    // One item of lookahead so the last chunk can carry `final: true`.
    let pending: Planes | undefined;
    let index = 0;
    try {
      while (true) {
        let result: IteratorResult<CallbackYield>;
        try {
          result = await iterator.next();
        } catch (error) {
          throw SluiceError.wrap(error, 'E_SOURCE', `${this.name} failed`);
        }
        if (result.done) break;
        const planes = toPlanes(result.value, this.format, index);
        checkPlanes(planes, this.format, index);
        index++;
        if (pending !== undefined) yield stamper.stamp(pending);
        pending = planes;
      }
      yield stamper.stamp(pending ?? this.emptyPlanes(), true);
    } finally {
      await iterator.return?.();
    }
  }

  private emptyPlanes(): Planes {
    return Array.from({ length: this.format.channels }, () => new Float32Array(0));
  }
}

function checkPlanes(planes: Planes, format: AudioFormat, index: number): void {
  if (planes.length !== format.channels) {
    throw new SluiceError(
      'E_FORMAT',
      `CallbackSource: item ${index} has ${planes.length} channel(s), the source declares ${format.channels}`,
    );
  }
  const frames = planes[0]?.length ?? 0;
  for (let c = 1; c < planes.length; c++) {
    if (planes[c]?.length !== frames) {
      throw new SluiceError(
        'E_FORMAT',
        `CallbackSource: item ${index} has channels of different lengths (${frames} vs ${planes[c]?.length})`,
      );
    }
  }
}
