import { type AudioChunk, type AudioFormat, type Sink, SluiceError, encodePcm } from '@sluice/core';
import { AudioRingBuffer } from '@sluice/ringbuffer';
import { findDevice, checkStreamFormat } from '../devices/list-devices';
import { deviceHost } from '../host/device-host-client';
import { DEVICE_SAMPLE_FORMATS, type DeviceSampleFormat, deviceSampleFormat } from './device-format';

/** Options for {@link SpeakerSink}, like mlx-audio's `SpeakerSink(sample_rate, channels, device_id)`. */
export interface SpeakerSinkOptions {
  /** Device id or name (default: the default output). */
  deviceId?: number | string;
  /** Rate the device runs at (default: the stream's). */
  sampleRate?: number;
  /** Channels the device runs with (default: the stream's). */
  channels?: number;
  /** Sample format on the wire to PortAudio (default s16le). */
  sampleFormat?: DeviceSampleFormat;
  /** Audio held between the pipeline and the device, in ms (default 200): the jitter buffer. */
  latencyMs?: number;
}

/** Counters of a device stream. */
export interface DeviceStreamStats {
  /** Times the device wanted audio and the buffer was empty (speaker), or was full when audio came (microphone). */
  underruns: number;
  overruns: number;
  /** Frames that went through. */
  frames: number;
  /** The buffer's latency plus the device's, in seconds. */
  latencySeconds: number;
}

/**
 * Plays a stream on an output device through PortAudio. Chunks go into a
 * ring buffer (the jitter buffer, `latencyMs` long); a pump moves blocks
 * from it to the device, converted at the edge. `close()` (the end of a
 * pipeline, or `stop()`) drains what was written; `abort()` drops it.
 * Underruns (the device ran dry while the stream was still open) are counted.
 */
export class SpeakerSink implements Sink {
  readonly name = 'speaker';
  private ring: AudioRingBuffer | undefined;
  private stream: number | undefined;
  private pump: Promise<void> | undefined;
  private format: AudioFormat | undefined;
  private closing = false;
  private aborted = false;
  private failure: SluiceError | undefined;
  private counters = { underruns: 0, frames: 0 };
  private deviceLatencyMs = 0;
  private readonly wireFormat: DeviceSampleFormat;

  constructor(private readonly options: SpeakerSinkOptions = {}) {
    this.wireFormat = deviceSampleFormat(options.sampleFormat);
    if (options.latencyMs !== undefined && !(options.latencyMs >= 10 && options.latencyMs <= 10_000)) {
      throw new SluiceError('E_INVALID_ARGUMENT', `latencyMs must be from 10 to 10000, got ${options.latencyMs}`);
    }
  }

  /** Underruns, frames played and the latency. */
  get stats(): DeviceStreamStats {
    const buffered = this.ring === undefined || this.format === undefined ? 0 : (this.ring.available / this.format.sampleRate) * 1000;
    return {
      underruns: this.counters.underruns,
      overruns: 0,
      frames: this.counters.frames,
      latencySeconds: (buffered + this.deviceLatencyMs) / 1000,
    };
  }

  /** The configured latency: the jitter buffer plus the device's own. */
  get latencyMs(): number {
    return (this.options.latencyMs ?? 200) + this.deviceLatencyMs;
  }

  async open(format: AudioFormat): Promise<void> {
    const sampleRate = this.options.sampleRate ?? format.sampleRate;
    const channels = this.options.channels ?? format.channels;
    if (sampleRate !== format.sampleRate || channels !== format.channels) {
      throw new SluiceError(
        'E_FORMAT',
        `SpeakerSink: the stream is ${format.sampleRate} Hz × ${format.channels}, the device is set to ${sampleRate} Hz × ${channels}; put a ResampleProcessor or a remix before the sink`,
      );
    }
    const device = await findDevice(this.options.deviceId, 'out');
    checkStreamFormat(device, 'out', channels, sampleRate);
    this.deviceLatencyMs = device.defaultHighOutputLatency * 1000;
    this.format = format;
    const capacity = Math.max(256, Math.round(((this.options.latencyMs ?? 200) / 1000) * sampleRate));
    this.ring = new AudioRingBuffer({ capacityFrames: capacity, channels, overflow: 'reject' });
    this.stream = await deviceHost.open(
      'out',
      { deviceId: device.id, sampleRate, channels, sampleFormat: DEVICE_SAMPLE_FORMATS[this.wireFormat], framesPerBuffer: 0, maxQueue: 2 },
      (message) => {
        if (message.type === 'ended' && message.error) this.failure = new SluiceError('E_DEVICE_UNAVAILABLE', message.error);
      },
    );
    this.pump = this.run();
  }

  async write(chunk: AudioChunk): Promise<void> {
    const ring = this.requireRing();
    let offset = 0;
    while (offset < chunk.frames) {
      if (this.failure) throw this.failure;
      if (this.aborted) throw new SluiceError('E_ABORTED', 'SpeakerSink: aborted');
      if (ring.free === 0) await ring.waitForFree(1);
      offset += ring.write(chunk.planes.map((plane) => plane.subarray(offset)));
    }
  }

  /** Plays what is buffered, then closes the device. */
  async close(): Promise<void> {
    if (this.stream === undefined) return;
    this.closing = true;
    this.ring?.end();
    await this.pump;
    const stream = this.stream;
    this.stream = undefined;
    await deviceHost.close(stream, 'WAIT');
    if (this.failure) throw this.failure;
  }

  /** Same as {@link close}: drains what was written. */
  stop(): Promise<void> {
    return this.close();
  }

  /** Drops what is buffered and closes the device at once. */
  async abort(): Promise<void> {
    this.aborted = true;
    this.closing = true;
    this.ring?.clear();
    this.ring?.end();
    await this.pump?.catch(() => undefined);
    const stream = this.stream;
    this.stream = undefined;
    if (stream !== undefined) await deviceHost.close(stream, 'ABORT').catch(() => undefined);
  }

  private requireRing(): AudioRingBuffer {
    if (this.ring === undefined) throw new SluiceError('E_CLOSED', 'SpeakerSink: write before open (use it in a Pipeline)');
    return this.ring;
  }

  /** Moves blocks from the ring to the device, each write awaited (that is the device's backpressure). */
  private async run(): Promise<void> {
    const ring = this.requireRing();
    const format = this.format as AudioFormat;
    const block = Math.max(256, Math.round(format.sampleRate / 50));
    for (;;) {
      if (this.aborted || this.failure) return;
      if (ring.available === 0) {
        if (this.closing) return;
        // The device still holds the blocks queued at it (2 × block); if nothing arrives before they have
        // played, the device runs dry: an underrun (not counted before the first audio).
        const queuedMs = ((2 * block) / format.sampleRate) * 1000;
        const arrived = await ring.waitForAvailable(1, { timeoutMs: queuedMs }).then(
          () => true,
          () => false,
        );
        if (!arrived && this.counters.frames > 0 && !this.closing) {
          this.counters.underruns++;
          await ring.waitForAvailable(1).catch(() => undefined);
        }
        if (ring.available === 0) continue;
      }
      const planes = ring.read(Math.min(block, ring.available));
      const frames = planes[0]?.length ?? 0;
      try {
        await deviceHost.write(this.stream as number, encodePcm(planes, this.wireFormat));
      } catch (error) {
        this.failure = SluiceError.wrap(error, 'E_DEVICE_UNAVAILABLE', 'SpeakerSink: the device stopped');
        return;
      }
      this.counters.frames += frames;
    }
  }
}
