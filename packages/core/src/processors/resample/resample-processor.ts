import type { AudioChunk } from '../../chunk/audio-chunk';
import { makeChunk } from '../../chunk/audio-chunk';
import { type AudioFormat, validateFormat } from '../../format/audio-format';
import { SluiceError } from '../../errors/sluice-error';
import type { Processor } from '../../stream/types';
import { type ResamplerDesign, type ResamplerDesignOptions, designResampler } from './resampler-design';

/** Options for {@link ResampleProcessor}. */
export interface ResampleOptions extends ResamplerDesignOptions {
  /** The output sample rate in Hz. */
  targetRate: number;
}

/**
 * Streaming sample-rate conversion, any rate to any rate, in pure TypeScript.
 *
 * A polyphase Kaiser-windowed sinc (flat within 0.1 dB to 0.9 × the lower
 * Nyquist, ≥ 80 dB stopband by default). History is kept across chunks, so
 * the output does not depend on how the input was chunked. The output is
 * time-aligned with the input (no added delay in the signal), and it is
 * exactly ceil(inputFrames × outRate / inRate) frames long; producing it
 * needs `halfTaps` input frames of lookahead, reported as `latencyFrames`.
 *
 * Stems are not resampled: a chunk's stems are dropped with a note in
 * `meta.droppedStems`; resample before separating.
 */
export class ResampleProcessor implements Processor {
  readonly name = 'resample';
  readonly targetRate: number;
  private readonly designOptions: ResamplerDesignOptions;
  private design: ResamplerDesign | undefined;
  private input: AudioFormat | undefined;
  private output: AudioFormat | undefined;
  /** Per-channel input history; index 0 holds absolute input frame `bufferStart`. */
  private buffers: Float32Array[] = [];
  private bufferLength = 0;
  private bufferStart = 0;
  /** Input frames received so far. */
  private received = 0;
  /** Output frames produced so far. */
  private produced = 0;
  /** Integer part of the next output's input position. */
  private position = 0;
  /** Fractional part of that position, in units of 1/up. */
  private phaseAccumulator = 0;

  constructor(options: ResampleOptions) {
    const { targetRate, ...design } = options;
    this.targetRate = validateFormat({ sampleRate: targetRate, channels: 1 }, 'ResampleProcessor').sampleRate;
    this.designOptions = design;
  }

  /** Output frames the stream lags behind the input while streaming. */
  get latencyFrames(): number {
    if (this.design === undefined || this.input === undefined) return 0;
    return Math.ceil((this.design.halfTaps * this.targetRate) / this.input.sampleRate);
  }

  open(input: AudioFormat): AudioFormat {
    this.input = input;
    this.output = { sampleRate: this.targetRate, channels: input.channels };
    if (input.sampleRate !== this.targetRate) {
      this.design = designResampler(input.sampleRate, this.targetRate, this.designOptions);
    }
    this.reset();
    return this.output;
  }

  reset(): void {
    const channels = this.input?.channels ?? 0;
    const halfTaps = this.design?.halfTaps ?? 0;
    this.buffers = Array.from({ length: channels }, () => new Float32Array(Math.max(4096, 4 * halfTaps)));
    // Zeros before the first input frame: the filter sees silence before t = 0.
    this.bufferStart = -halfTaps;
    this.bufferLength = halfTaps;
    this.received = 0;
    this.produced = 0;
    this.position = 0;
    this.phaseAccumulator = 0;
  }

  process(chunk: AudioChunk): AudioChunk | null {
    const output = this.requireOpen();
    if (this.design === undefined) {
      return chunk.stems === undefined
        ? chunk
        : makeChunk(output, chunk.planes, chunk.frames, chunk.seq, chunk.startFrame, chunk.final, undefined, this.note(chunk));
    }
    this.append(chunk.planes, chunk.frames);
    this.received += chunk.frames;
    const planes = this.produce(this.received);
    if (planes === null) return null;
    return makeChunk(output, planes, planes[0]?.length ?? 0, 0, 0, false, undefined, this.note(chunk));
  }

  flush(): AudioChunk | null {
    const output = this.requireOpen();
    if (this.design === undefined) return null;
    // Pad with silence so the last outputs see their full window.
    const pad = this.design.halfTaps + 1;
    const zeros = Array.from({ length: output.channels }, () => new Float32Array(pad));
    this.append(zeros, pad);
    const planes = this.produce(this.received + pad, this.expectedOutputFrames());
    if (planes === null) return null;
    return makeChunk(output, planes, planes[0]?.length ?? 0, 0, 0, true);
  }

  /** Output frames for the input received so far: ceil(received × up / down). */
  private expectedOutputFrames(): number {
    const design = this.design as ResamplerDesign;
    return Math.ceil((this.received * design.up) / design.down);
  }

  private requireOpen(): AudioFormat {
    if (this.output === undefined) {
      throw new SluiceError('E_INVALID_ARGUMENT', 'ResampleProcessor: open(format) must be called before process() (a Pipeline does this)');
    }
    return this.output;
  }

  private note(chunk: AudioChunk): AudioChunk['meta'] {
    if (chunk.stems === undefined) return chunk.meta;
    return { ...chunk.meta, droppedStems: Object.keys(chunk.stems) };
  }

  private append(planes: readonly Float32Array[], frames: number): void {
    const needed = this.bufferLength + frames;
    if (needed > (this.buffers[0]?.length ?? 0)) {
      const capacity = Math.max(needed, 2 * (this.buffers[0]?.length ?? 0));
      this.buffers = this.buffers.map((old) => {
        const grown = new Float32Array(capacity);
        grown.set(old.subarray(0, this.bufferLength));
        return grown;
      });
    }
    for (let c = 0; c < this.buffers.length; c++) {
      (this.buffers[c] as Float32Array).set((planes[c] as Float32Array).subarray(0, frames), this.bufferLength);
    }
    this.bufferLength += frames;
  }

  /**
   * Produces every output whose window lies inside the available input
   * (absolute frames below `available`), at most `limit` in total.
   */
  private produce(available: number, limit = Number.POSITIVE_INFINITY): Float32Array[] | null {
    const design = this.design as ResamplerDesign;
    const { up, down, halfTaps, phases, exact, table } = design;
    const width = 2 * halfTaps;
    // Output k needs input frames up to position + halfTaps.
    const lastPosition = available - halfTaps - 1;
    let count = 0;
    {
      let position = this.position;
      let accumulator = this.phaseAccumulator;
      while (position <= lastPosition && this.produced + count < limit) {
        count++;
        accumulator += down;
        position += Math.floor(accumulator / up);
        accumulator %= up;
      }
    }
    if (count === 0) return null;
    const out = Array.from({ length: this.buffers.length }, () => new Float32Array(count));
    for (let c = 0; c < this.buffers.length; c++) {
      const buffer = this.buffers[c] as Float32Array;
      const target = out[c] as Float32Array;
      let position = this.position;
      let accumulator = this.phaseAccumulator;
      for (let k = 0; k < count; k++) {
        const base = position - halfTaps + 1 - this.bufferStart;
        let sum = 0;
        if (exact) {
          const row = accumulator * width;
          for (let d = 0; d < width; d++) sum += (buffer[base + d] as number) * (table[row + d] as number);
        } else {
          const scaled = (accumulator / up) * phases;
          const index = Math.floor(scaled);
          const frac = scaled - index;
          const row = index * width;
          const next = row + width;
          for (let d = 0; d < width; d++) {
            const coefficient = (table[row + d] as number) + frac * ((table[next + d] as number) - (table[row + d] as number));
            sum += (buffer[base + d] as number) * coefficient;
          }
        }
        target[k] = sum;
        accumulator += down;
        position += Math.floor(accumulator / up);
        accumulator %= up;
      }
      if (c === this.buffers.length - 1) {
        this.position = position;
        this.phaseAccumulator = accumulator;
      }
    }
    this.produced += count;
    this.discardConsumed();
    return out;
  }

  /** Drops history the next output no longer needs. */
  private discardConsumed(): void {
    const keepFrom = this.position - this.design!.halfTaps + 1;
    const drop = keepFrom - this.bufferStart;
    if (drop <= 0) return;
    for (const buffer of this.buffers) buffer.copyWithin(0, drop, this.bufferLength);
    this.bufferLength -= drop;
    this.bufferStart += drop;
  }
}
