import type { AudioChunk, Planes } from '../chunk/audio-chunk';
import { ChunkStamper } from '../chunk/chunk-stamper';
import { type AudioFormat, sameFormat, validateFormat } from '../format/audio-format';
import { SluiceError } from '../errors/sluice-error';
import { CHECKED_CHUNKS, type Source, type SyncPullIterator } from '../stream/types';

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
 * A source fed by a generator (sync or async) or any iterable, like mlx-audio's
 *  `CallbackSource(callback=generate_audio, sample_rate, channels)`.
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

  [Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    const iterable = this.producer();
    return Symbol.asyncIterator in iterable
      ? this.fromAsync((iterable as AsyncIterable<CallbackYield>)[Symbol.asyncIterator]())
      : this.fromSync((iterable as Iterable<CallbackYield>)[Symbol.iterator]());
  }

  /** Sync producers get a synchronous pull path: no promise per chunk inside a pipeline. */
  private fromSync(iterator: Iterator<CallbackYield>): SyncPullIterator<AudioChunk> {
    const stamper = new ChunkStamper(this.format);
    const done: IteratorResult<AudioChunk> = { done: true, value: undefined };
    // nextSync() answers in one object, rewritten by each call (SyncPullIterator allows it): nothing allocated per chunk.
    const reused: { done: false; value: AudioChunk } = { done: false, value: undefined as unknown as AudioChunk };
    let index = 0;
    let started = false;
    let finished = false;
    let pending: Planes | AudioChunk | undefined;
    const pull = (): Planes | AudioChunk | undefined => {
      try {
        const result = iterator.next();
        if (result.done) return undefined;
        const value = result.value;
        const item = isChunk(value) ? value : undefined;
        const planes = item === undefined ? toPlanes(value, this.format, index) : item.planes;
        checkPlanes(planes, this.format, index);
        if (item !== undefined && item.frames !== (planes[0]?.length ?? 0)) {
          throw new SluiceError(
            'E_FORMAT',
            `CallbackSource: item ${index} says ${item.frames} frames but its planes hold ${planes[0]?.length ?? 0}`,
          );
        }
        index++;
        // A chunk item keeps its object (and meta) when its numbering already fits.
        return item !== undefined && sameFormat(item.format, this.format) ? item : planes;
      } catch (error) {
        finished = true;
        iterator.return?.();
        throw SluiceError.wrap(error, 'E_SOURCE', `${this.name} failed`);
      }
    };
    const nextSync = (): IteratorResult<AudioChunk> => {
      if (finished) return done;
      if (!started) {
        started = true;
        pending = pull();
      }
      // One item of lookahead so the last chunk can carry `final: true`.
      const current = pending ?? this.emptyPlanes();
      pending = pending === undefined ? undefined : pull();
      finished = pending === undefined;
      reused.value = isChunk(current) ? stamper.restamp(current, finished) : stamper.stamp(current, finished);
      return reused;
    };
    return {
      nextSync,
      next: async () => {
        const result = nextSync();
        return result.done ? result : { done: false, value: result.value };
      },
      return: async () => {
        finished = true;
        iterator.return?.();
        return done;
      },
      // Every item went through toPlanes and checkPlanes, and the stamper numbers it in this source's format.
      [CHECKED_CHUNKS]: true,
    } as SyncPullIterator<AudioChunk>;
  }

  private async *fromAsync(iterator: AsyncIterator<CallbackYield>): AsyncGenerator<AudioChunk> {
    const stamper = new ChunkStamper(this.format);
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

function isChunk(value: unknown): value is AudioChunk {
  return typeof value === 'object' && value !== null && 'planes' in value;
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
