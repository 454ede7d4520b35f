import { type AudioChunk, type AudioFormat, type Sink, type Source, SluiceError, describeFormat, sameFormat } from '@sluice/core';
import { type Moments, accumulate, addMoments, emptyMoments } from '../signal/moments';
import { correlationFromMoments, sdrFromMoments, siSdrFromMoments } from '../signal/metrics';

/** A running score. */
export interface RunningMetrics {
  /** Frames compared so far. */
  frames: number;
  /** SI-SDR of everything compared so far. */
  siSdr: number;
  /** SNR (= plain SDR) of everything so far. */
  snr: number;
  /** Correlation of everything so far. */
  correlation: number;
  /** SI-SDR of the latest chunk alone (what is happening now). */
  chunkSiSdr: number;
}

/** Options for {@link MetricsSink}. */
export interface MetricsSinkOptions {
  /** The reference the pipeline's output is compared with, read along as output arrives. */
  reference: Source;
  /** Compare this stem of the output (e.g. `vocals`) instead of the mix. */
  stem?: string;
  /** Called after every chunk with the running metrics. */
  onUpdate?: (metrics: RunningMetrics) => void;
}

/**
 * A Sink that scores a pipeline's output against a reference source chunk
 * by chunk, so a live separation can show its quality as it runs. Memory:
 * the reference frames not yet matched (at most one output chunk's worth
 * plus one reference chunk).
 */
export class MetricsSink implements Sink {
  readonly name = 'metrics-sink';
  private readonly options: MetricsSinkOptions;
  private iterator: AsyncIterator<AudioChunk> | undefined;
  private pending: Float32Array[] = [];
  private referenceEnded = false;
  private total: Moments[] = [];
  private latest: RunningMetrics = { frames: 0, siSdr: Number.NaN, snr: Number.NaN, correlation: Number.NaN, chunkSiSdr: Number.NaN };
  /** Output frames that had no reference left to compare with. */
  unmatchedFrames = 0;

  constructor(options: MetricsSinkOptions) {
    this.options = options;
  }

  /** The metrics so far. */
  get metrics(): RunningMetrics {
    return this.latest;
  }

  open(format: AudioFormat): void {
    if (!sameFormat(format, this.options.reference.format)) {
      throw new SluiceError(
        'E_FORMAT',
        `MetricsSink: the output is ${describeFormat(format)} but the reference is ${describeFormat(this.options.reference.format)}`,
      );
    }
    this.iterator = this.options.reference[Symbol.asyncIterator]();
    this.total = Array.from({ length: format.channels }, emptyMoments);
    this.pending = Array.from({ length: format.channels }, () => new Float32Array(0));
  }

  async write(chunk: AudioChunk): Promise<void> {
    const planes = this.options.stem === undefined ? chunk.planes : chunk.stems?.[this.options.stem];
    if (planes === undefined) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `MetricsSink: chunk ${chunk.seq} has no stem "${this.options.stem}" (it has ${Object.keys(chunk.stems ?? {}).join(', ') || 'no stems'})`,
      );
    }
    await this.fill(chunk.frames);
    const available = this.pending[0]?.length ?? 0;
    const frames = Math.min(chunk.frames, available);
    this.unmatchedFrames += chunk.frames - frames;
    if (frames === 0) return;
    const chunkMoments = emptyMoments();
    for (let c = 0; c < planes.length; c++) {
      const estimate = planes[c] as Float32Array;
      const reference = this.pending[c] as Float32Array;
      accumulate(this.total[c] as Moments, estimate, reference, 0, frames);
      accumulate(chunkMoments, estimate, reference, 0, frames);
      this.pending[c] = reference.subarray(frames);
    }
    const all = emptyMoments();
    for (const m of this.total) addMoments(all, m);
    this.latest = {
      frames: this.latest.frames + frames,
      siSdr: siSdrFromMoments(all),
      snr: sdrFromMoments(all),
      correlation: correlationFromMoments(all),
      chunkSiSdr: siSdrFromMoments(chunkMoments),
    };
    this.options.onUpdate?.(this.latest);
  }

  async close(): Promise<void> {
    await this.iterator?.return?.();
    await this.options.reference.close?.();
  }

  async abort(): Promise<void> {
    await this.close();
  }

  /** Reads reference chunks until `frames` frames are pending or the reference ends. */
  private async fill(frames: number): Promise<void> {
    const iterator = this.iterator;
    if (iterator === undefined) throw new SluiceError('E_CLOSED', 'MetricsSink: write before open (use it in a Pipeline)');
    while ((this.pending[0]?.length ?? 0) < frames && !this.referenceEnded) {
      const result = await iterator.next();
      if (result.done) {
        this.referenceEnded = true;
        break;
      }
      this.pending = this.pending.map((old, c) => {
        const joined = new Float32Array(old.length + result.value.frames);
        joined.set(old);
        joined.set(result.value.planes[c] as Float32Array, old.length);
        return joined;
      });
      if (result.value.final) this.referenceEnded = true;
    }
  }
}
