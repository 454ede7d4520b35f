import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type AudioChunk, type Planes, SluiceError } from '@sluice/core';
import { WasmMediaEncoder } from 'wasm-media-encoders';
import { type EncodeOptions, mimeTypeOf } from './containers';
import { type StreamingAudioWriter, planesToWrite } from './writer';

/** The formats an in-process WebAssembly encoder writes: LAME for mp3, libvorbis for ogg. */
export type WasmContainer = 'mp3' | 'ogg';

const MIME = { mp3: 'audio/mpeg', ogg: 'audio/ogg' } as const;
const WASM_FILE = { mp3: 'wasm-media-encoders/wasm/mp3', ogg: 'wasm-media-encoders/wasm/ogg' } as const;
/** LAME's constant bitrates (kbps). */
const MP3_BITRATES = new Set([8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]);
/** The rates LAME writes without resampling. */
const MP3_RATES = new Set([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]);
/** What the ffmpeg writer defaults to, so either encoder gives the same stream by default: 192 kbps CBR mp3. */
const MP3_DEFAULT_KBPS = 192;
/** libvorbis quality 5 ≈ 160 kbps stereo at 44.1 kHz, the ffmpeg writer's default rate. */
const OGG_DEFAULT_QUALITY = 5;

/**
 * Encoding is synchronous, and a pipeline fed from a buffer writes chunk
 * after chunk without a turn of the event loop in between. So every
 * in-process encoder of a thread shares one budget per turn of the loop:
 * past it, the next write waits for the next turn. Twenty streams then
 * share 2 ms a turn instead of each taking its own slice in the same turn
 * (which was 20–100 ms of event-loop delay in the demo server).
 */
const TURN_BUDGET_MS = 2;
let spentThisTurn = 0;
let nextTurn: Promise<void> | undefined;

/** Resolves at once while this turn has budget left; else at the next turn, which starts a fresh budget. */
function encodingTurn(): Promise<void> | undefined {
  if (spentThisTurn < TURN_BUDGET_MS) return undefined;
  nextTurn ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      spentThisTurn = 0;
      nextTurn = undefined;
      resolve();
    }),
  );
  return nextTurn;
}

const compiled = new Map<WasmContainer, Promise<WebAssembly.Module>>();

/** The encoder's WebAssembly, compiled once per process (each stream only instantiates it: about a millisecond). */
function wasmModule(format: WasmContainer): Promise<WebAssembly.Module> {
  let module = compiled.get(format);
  if (module === undefined) {
    const path = createRequire(import.meta.url).resolve(WASM_FILE[format]);
    module = readFile(path).then((bytes) => WebAssembly.compile(bytes));
    compiled.set(format, module);
    module.catch(() => compiled.delete(format));
  }
  return module;
}

/**
 * Why the in-process encoder cannot write this stream (so the ffmpeg one
 * must), or undefined when it can: mp3 needs one or two channels, a rate
 * LAME writes and a constant bitrate LAME has (or a VBR quality); ogg needs
 * one or two channels and a VBR quality (libvorbis' bitrate management is
 * not in the WebAssembly build).
 */
export function wasmUnsupported(
  format: string,
  layout: { sampleRate: number; channels: number },
  options: EncodeOptions,
): string | undefined {
  if (format !== 'mp3' && format !== 'ogg') return `${format} has no in-process encoder`;
  if (layout.channels > 2) return `${layout.channels} channels (the in-process ${format} encoder takes 1 or 2)`;
  if (format === 'mp3') {
    if (!MP3_RATES.has(layout.sampleRate)) return `${layout.sampleRate} Hz (LAME writes ${[...MP3_RATES].join(', ')} Hz)`;
    if (options.bitrateKbps !== undefined && !MP3_BITRATES.has(options.bitrateKbps))
      return `${options.bitrateKbps} kbps (LAME's constant bitrates are ${[...MP3_BITRATES].join(', ')})`;
    if (options.quality !== undefined && options.quality >= 9.999) return 'VBR quality 10';
  }
  if (format === 'ogg' && options.bitrateKbps !== undefined) return 'an ogg bitrate (the in-process encoder takes a VBR quality)';
  return undefined;
}

/**
 * Encodes mp3 (LAME) or ogg (libvorbis) in this process with the encoders
 * of the `wasm-media-encoders` package: no child process, no pipes, so a
 * stream starts in about a millisecond and costs no process per listener.
 * The encoders run synchronously, a few milliseconds per second of audio.
 */
export class WasmStreamWriter implements StreamingAudioWriter {
  readonly mimeType: string;
  framesWritten = 0;
  bytesOut = 0;
  private encoder: Promise<WasmMediaEncoder<(typeof MIME)[WasmContainer]>> | undefined;
  private done = false;

  constructor(
    readonly container: WasmContainer,
    private readonly layout: { sampleRate: number; channels: number },
    private readonly options: EncodeOptions & { signal?: AbortSignal } = {},
  ) {
    const reason = wasmUnsupported(container, layout, options);
    if (reason !== undefined) throw new SluiceError('E_UNSUPPORTED', `in-process ${container} encoder: ${reason}`);
    this.mimeType = mimeTypeOf(container);
  }

  private start(): Promise<WasmMediaEncoder<(typeof MIME)[WasmContainer]>> {
    this.encoder ??= wasmModule(this.container).then(async (module) => {
      const encoder = await WasmMediaEncoder.create(MIME[this.container], module);
      const channels = this.layout.channels as 1 | 2;
      const { sampleRate } = this.layout;
      if (this.container === 'mp3') {
        const { bitrateKbps, quality } = this.options;
        (encoder as WasmMediaEncoder<'audio/mpeg'>).configure(
          quality === undefined
            ? { sampleRate, channels, bitrate: (bitrateKbps ?? MP3_DEFAULT_KBPS) as 192 }
            : { sampleRate, channels, vbrQuality: quality },
        );
      } else {
        (encoder as WasmMediaEncoder<'audio/ogg'>).configure({
          sampleRate,
          channels,
          vbrQuality: this.options.quality ?? OGG_DEFAULT_QUALITY,
        });
      }
      return encoder;
    });
    return this.encoder;
  }

  async write(input: AudioChunk | Planes): Promise<Uint8Array> {
    this.options.signal?.throwIfAborted();
    const planes = planesToWrite(this, input, this.layout.channels, this.done);
    const encoder = await this.start();
    if ((planes[0]?.length ?? 0) === 0) return new Uint8Array(0);
    const turn = encodingTurn();
    if (turn !== undefined) await turn;
    this.framesWritten += planes[0]?.length ?? 0;
    const started = performance.now();
    // The encoder's output is a view of its own memory, reused by the next call: copied out.
    const bytes = this.count(encoder.encode(planes as Float32Array[]).slice());
    spentThisTurn += performance.now() - started;
    return bytes;
  }

  async finalize(): Promise<Uint8Array> {
    if (this.done) return new Uint8Array(0);
    this.done = true;
    const encoder = await this.start();
    return this.count(encoder.finalize().slice());
  }

  /** Nothing outside this process to stop: the encoder is dropped. */
  async abort(): Promise<void> {
    this.done = true;
    this.encoder = undefined;
  }

  private count(bytes: Uint8Array): Uint8Array {
    this.bytesOut += bytes.length;
    return bytes;
  }
}
