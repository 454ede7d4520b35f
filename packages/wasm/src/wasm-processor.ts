import { readFileSync } from 'node:fs';
import {
  type AudioChunk,
  type AudioFormat,
  type ByteChunk,
  MemoryChannel,
  type Processor,
  SluiceError,
  type StreamingChannel,
  createByteChunk,
  withChunk,
} from '@sluice/core';
import { SLOTS } from './mailbox';
import { type InstanceOptions, SandboxInstance, compileModule } from './sandbox-instance';

/** Options for {@link WasmProcessor}. */
export interface WasmProcessorOptions extends Omit<InstanceOptions, 'sampleRate' | 'channels'> {
  /** A name for stats and messages (default `wasm`). */
  name?: string;
  /** Where an analyser's records go (default: a new MemoryChannel, `processor.records`). */
  records?: StreamingChannel<ByteChunk>;
  /**
   * Chunks in the sandbox at once (1–4, default 1). With more than one, the worker runs a chunk while the next is
   * prepared, and a chunk comes out only when the `inFlight`-th after it goes in: throughput for files, at the
   * cost of that many chunks of latency (keep 1 for live audio).
   */
  inFlight?: number;
}

interface InFlight {
  chunk: AudioChunk;
  result: Promise<{ data: Float32Array; record?: Uint8Array }> | undefined;
}

/**
 * Runs a user's WebAssembly module (see the ABI in `abi.ts`) as a pipeline
 * stage, in a sandboxed worker: effects process each chunk's audio in place,
 * analysers leave it alone and send their records (UTF-8 JSON) through a
 * channel, with the chunk's `seq` and `startFrame` in the record's metadata.
 * A module that breaks a rule (memory, imports, time, a trap) fails the
 * pipeline with `E_SANDBOX`; other instances are not affected.
 */
export class WasmProcessor implements Processor {
  readonly name: string;
  readonly latencyFrames = 0;
  /** The analyser's records (byte chunks; `bytesToNdjson` turns them into objects). */
  readonly records: StreamingChannel<ByteChunk>;
  private readonly compiled: ReturnType<typeof compileModule>;
  private instance: SandboxInstance | undefined;
  private recordSeq = 0;
  /** The records' reader left (or the channel was closed): records are dropped, the audio goes on. */
  private recordsUnread = false;
  private readonly inFlight: number;
  private flight: InFlight[] = [];

  constructor(
    module: Uint8Array | string,
    private readonly options: WasmProcessorOptions = {},
  ) {
    this.name = options.name ?? 'wasm';
    let bytes: Uint8Array;
    try {
      bytes = typeof module === 'string' ? readFileSync(module) : module;
    } catch (error) {
      throw SluiceError.wrap(error, 'E_IO', `WasmProcessor: cannot read ${String(module)}`);
    }
    this.compiled = compileModule(bytes);
    this.inFlight = options.inFlight ?? 1;
    if (!Number.isInteger(this.inFlight) || this.inFlight < 1 || this.inFlight > SLOTS)
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `WasmProcessor: inFlight must be an integer from 1 to ${SLOTS}, got ${String(options.inFlight)}`,
      );
    this.records = options.records ?? new MemoryChannel<ByteChunk>(`${this.name}-records`);
  }

  /** The instance's counters (chunks and bytes in and out, time per chunk, traps). */
  get stats() {
    return this.instance?.stats;
  }

  open(format: AudioFormat): void {
    this.instance = new SandboxInstance(this.name, this.compiled.module, this.compiled.info, {
      ...this.options,
      sampleRate: format.sampleRate,
      channels: format.channels,
    });
  }

  /** Sends the chunk into the sandbox; returns the chunks whose turn it is to come out (this one, with `inFlight` 1). */
  async process(chunk: AudioChunk): Promise<AudioChunk[]> {
    const instance = this.requireInstance();
    const { frames } = chunk;
    const channels = chunk.planes.length;
    let result: InFlight['result'];
    if (frames > 0) {
      const data = new Float32Array(frames * channels);
      chunk.planes.forEach((plane, c) => {
        data.set(plane, c * frames);
      });
      result = instance.process(data, frames, channels);
      // Awaited in order by finish(); a failure is not unhandled in between.
      result.catch(() => undefined);
    }
    this.flight.push({ chunk, result });
    const out: AudioChunk[] = [];
    while (this.flight.length >= this.inFlight) out.push(await this.finish(this.flight.shift() as InFlight));
    return out;
  }

  /** The chunks still in the sandbox, in order; then the records channel ends. */
  async flush(): Promise<AudioChunk[]> {
    const out: AudioChunk[] = [];
    while (this.flight.length > 0) out.push(await this.finish(this.flight.shift() as InFlight));
    this.records.close();
    return out;
  }

  private async finish({ chunk, result }: InFlight): Promise<AudioChunk> {
    if (result === undefined) return chunk;
    const { frames } = chunk;
    const channels = chunk.planes.length;
    const done = await result;
    if (done.record !== undefined) {
      // Records are newline-delimited, so that a channel transformer (bytesToNdjson) can split them.
      const data = done.record.at(-1) === 0x0a ? done.record : Uint8Array.from([...done.record, 0x0a]);
      await this.sendRecord(createByteChunk({ data, seq: this.recordSeq++, meta: { seq: chunk.seq, startFrame: chunk.startFrame } }));
    }
    if ((this.options.kind ?? 'effect') === 'analyser') return chunk;
    const planes = Array.from({ length: channels }, (_, c) => done.data.subarray(c * frames, (c + 1) * frames));
    return withChunk(chunk, { planes });
  }

  /**
   * Sends one record, unless nobody reads them any more: a reader that stopped iterating cancels the channel
   * (E_CLOSED), and the analyser's audio must not stop or wait for it.
   */
  private async sendRecord(record: ByteChunk): Promise<void> {
    if (this.recordsUnread) return;
    try {
      await this.records.send(record);
    } catch (error) {
      if (!SluiceError.hasCode(error, 'E_CLOSED')) throw error;
      this.recordsUnread = true;
    }
  }

  /** Drops what is in flight (it belongs to the stream before) and resets the module. */
  reset(): void {
    this.flight = [];
    void this.instance?.reset();
  }

  async close(): Promise<void> {
    this.records.close();
    await this.instance?.close();
  }

  private requireInstance(): SandboxInstance {
    if (this.instance === undefined)
      throw new SluiceError('E_INVALID_ARGUMENT', `${this.name}: open(format) must come first (a Pipeline does this)`);
    return this.instance;
  }
}
