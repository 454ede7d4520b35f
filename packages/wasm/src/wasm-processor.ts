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
import { type InstanceOptions, SandboxInstance, compileModule } from './sandbox-instance';

/** Options for {@link WasmProcessor}. */
export interface WasmProcessorOptions extends Omit<InstanceOptions, 'sampleRate' | 'channels'> {
  /** A name for stats and messages (default `wasm`). */
  name?: string;
  /** Where an analyser's records go (default: a new MemoryChannel, `processor.records`). */
  records?: StreamingChannel<ByteChunk>;
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

  async process(chunk: AudioChunk): Promise<AudioChunk> {
    const instance = this.requireInstance();
    const { frames } = chunk;
    const channels = chunk.planes.length;
    if (frames === 0) return chunk;
    const data = new Float32Array(frames * channels);
    chunk.planes.forEach((plane, c) => {
      data.set(plane, c * frames);
    });
    const result = await instance.process(data, frames, channels);
    if (result.record !== undefined) {
      // Records are newline-delimited, so that a channel transformer (bytesToNdjson) can split them.
      const data = result.record.at(-1) === 0x0a ? result.record : Uint8Array.from([...result.record, 0x0a]);
      await this.records.send(createByteChunk({ data, seq: this.recordSeq++, meta: { seq: chunk.seq, startFrame: chunk.startFrame } }));
    }
    if ((this.options.kind ?? 'effect') === 'analyser') return chunk;
    const planes = Array.from({ length: channels }, (_, c) => result.data.subarray(c * frames, (c + 1) * frames));
    return withChunk(chunk, { planes });
  }

  flush(): null {
    this.records.close();
    return null;
  }

  reset(): void {
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
