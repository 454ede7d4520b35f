import { type AudioChunk, type AudioFormat, SluiceError, type Source, createAudioChunk, decodePcm } from '@sluice/core';
import { AudioRingBuffer } from '@sluice/ringbuffer';
import { checkStreamFormat, findDevice } from '../devices/list-devices';
import { deviceHost } from '../host/device-host-client';
import type { HostMessage } from '../host/protocol';
import { DEVICE_SAMPLE_FORMATS, type DeviceSampleFormat, deviceSampleFormat } from './device-format';
import type { DeviceStreamStats } from './speaker-sink';

/** Options for {@link MicrophoneSource}, like mlx-audio's `MicrophoneSource(sample_rate, channels, chunk_size, device_id)`. */
export interface MicrophoneSourceOptions {
  /** Device id or name (default: the default input). */
  deviceId?: number | string;
  /** Rate to capture at (default 48000). */
  sampleRate?: number;
  /** Channels to capture (default 1). */
  channels?: number;
  /** Frames per chunk handed to the pipeline (default 1024). */
  chunkFrames?: number;
  /** Sample format on the wire from PortAudio (default s16le). */
  sampleFormat?: DeviceSampleFormat;
  /** Jitter buffer between the device and the pipeline, in ms (default 500); audio arriving while it is full is dropped and counted. */
  bufferMs?: number;
  /** Stop after this many seconds (default: until `stop()`). */
  seconds?: number;
}

/**
 * Captures from an input device through PortAudio. The device's blocks
 * land in a ring buffer (the jitter buffer); the pipeline takes chunks of
 * `chunkFrames` from it. A full buffer (the pipeline too slow) drops the
 * new audio and counts an overrun. `stop()` ends the stream after what is
 * buffered; `abort()` (or `close()`) drops it.
 */
export class MicrophoneSource implements Source {
  readonly name = 'microphone';
  readonly format: AudioFormat;
  private readonly wireFormat: DeviceSampleFormat;
  private ring: AudioRingBuffer;
  private stream: number | undefined;
  private failure: SluiceError | undefined;
  private stopped = false;
  private counters = { overruns: 0, frames: 0 };
  private deviceLatencyMs = 0;
  private iterating = false;

  constructor(private readonly options: MicrophoneSourceOptions = {}) {
    this.wireFormat = deviceSampleFormat(options.sampleFormat);
    this.format = { sampleRate: options.sampleRate ?? 48000, channels: options.channels ?? 1 };
    const chunk = options.chunkFrames ?? 1024;
    if (!Number.isInteger(chunk) || chunk < 16)
      throw new SluiceError('E_INVALID_ARGUMENT', `chunkFrames must be an integer ≥ 16, got ${chunk}`);
    const capacity = Math.max(2 * chunk, Math.round(((options.bufferMs ?? 500) / 1000) * this.format.sampleRate));
    this.ring = new AudioRingBuffer({ capacityFrames: capacity, channels: this.format.channels, overflow: 'reject' });
  }

  /** Overruns, frames captured and the latency. */
  get stats(): DeviceStreamStats {
    return {
      underruns: 0,
      overruns: this.counters.overruns,
      frames: this.counters.frames,
      latencySeconds: this.ring.available / this.format.sampleRate + this.deviceLatencyMs / 1000,
    };
  }

  /** Opens the device now (iteration does it otherwise): errors surface here. */
  async start(): Promise<void> {
    if (this.stream !== undefined) return;
    const device = await findDevice(this.options.deviceId, 'in');
    checkStreamFormat(device, 'in', this.format.channels, this.format.sampleRate);
    this.deviceLatencyMs = device.defaultHighInputLatency * 1000;
    const frameBytes =
      this.format.channels * (DEVICE_SAMPLE_FORMATS[this.wireFormat] === 1 ? 4 : DEVICE_SAMPLE_FORMATS[this.wireFormat] / 8);
    const readFrames = Math.min(this.options.chunkFrames ?? 1024, 4096);
    this.stream = await deviceHost.open(
      'in',
      {
        deviceId: device.id,
        sampleRate: this.format.sampleRate,
        channels: this.format.channels,
        sampleFormat: DEVICE_SAMPLE_FORMATS[this.wireFormat],
        framesPerBuffer: 0,
        maxQueue: 4,
      },
      (message) => this.receive(message),
      readFrames * frameBytes,
    );
  }

  private receive(message: HostMessage): void {
    if (message.type === 'data') {
      // Blocks still on their way after stop() are dropped.
      if (this.stopped || this.ring.isEnded) return;
      const planes = decodePcm(message.data, this.wireFormat, this.format.channels);
      const frames = planes[0]?.length ?? 0;
      const written = this.ring.write(planes);
      if (written < frames) this.counters.overruns++;
      this.counters.frames += written;
    } else if (message.type === 'ended') {
      if (message.error) this.failure = new SluiceError('E_DEVICE_UNAVAILABLE', `MicrophoneSource: ${message.error}`);
      this.ring.end();
    }
  }

  /** Ends the stream after what is already buffered. */
  async stop(): Promise<void> {
    this.stopped = true;
    const stream = this.stream;
    this.stream = undefined;
    if (stream !== undefined) await deviceHost.close(stream, 'ABORT').catch(() => undefined);
    this.ring.end();
  }

  /** Drops what is buffered and closes the device. */
  async abort(): Promise<void> {
    await this.stop();
    this.ring.clear();
  }

  async close(): Promise<void> {
    await this.abort();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    if (this.iterating) throw new SluiceError('E_INVALID_ARGUMENT', 'MicrophoneSource: a source can be iterated once');
    this.iterating = true;
    await this.start();
    const chunkFrames = this.options.chunkFrames ?? 1024;
    const limit = this.options.seconds === undefined ? Number.POSITIVE_INFINITY : Math.round(this.options.seconds * this.format.sampleRate);
    let emitted = 0;
    let seq = 0;
    try {
      while (emitted < limit) {
        const want = Math.min(chunkFrames, limit - emitted);
        await this.ring.waitForAvailable(want).catch(() => undefined);
        if (this.failure) throw this.failure;
        const frames = Math.min(want, this.ring.available);
        if (frames === 0) break;
        const planes = this.ring.read(frames);
        const final = emitted + frames >= limit;
        yield createAudioChunk({ format: this.format, planes, seq: seq++, startFrame: emitted, final });
        emitted += frames;
        if (this.stopped && this.ring.available === 0) break;
      }
    } finally {
      await this.stop();
    }
  }
}
