import {
  type AudioChunk,
  type AudioFormat,
  CallbackSink,
  GainProcessor,
  Pipeline,
  type Processor,
  ResampleProcessor,
  SluiceError,
  type Source,
  createAudioChunk,
  deinterleave,
  interleave,
} from '@sluice/core';
import { DspSeparator, SeparationProcessor, StemSelect, ThreadedDspSeparator } from '@sluice/separation';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { ServerContext } from '../context';
import { badRequest, toErrorResponse } from '../errors';

/** The first (text) message of a `/v1/stream` session. */
interface StreamConfig {
  sampleRate: number;
  channels: number;
  processors: (
    | { type: 'gain'; db: number }
    | { type: 'resample'; sampleRate: number }
    | { type: 'separate'; stem: string }
    | { type: 'metrics' }
  )[];
}

/** Audio the socket has sent and the pipeline has not taken yet; past `high`, the socket is paused. */
class SocketSource implements Source {
  readonly name = 'websocket';
  private readonly queue: AudioChunk[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;
  private seq = 0;
  private frames = 0;

  constructor(
    readonly format: AudioFormat,
    private readonly socket: WebSocket,
    private readonly high = 8,
  ) {}

  push(bytes: Buffer): void {
    if (bytes.length % (4 * this.format.channels) !== 0) {
      this.fail(
        badRequest(
          `binary messages carry interleaved float32 frames: ${bytes.length} bytes is not a whole number of ${this.format.channels}-channel frames`,
        ),
      );
      return;
    }
    const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const planes = deinterleave(samples, this.format.channels);
    this.queue.push(createAudioChunk({ format: this.format, planes, seq: this.seq++, startFrame: this.frames }));
    this.frames += samples.length / this.format.channels;
    // Backpressure across the socket: stop reading from the client while the pipeline is behind.
    if (this.queue.length >= this.high) this.socket.pause();
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  fail(error: Error): void {
    this.failure = error;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AudioChunk> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const chunk = this.queue.shift();
      if (chunk !== undefined) {
        if (this.queue.length < this.high / 2) this.socket.resume();
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

/** A plain JSON object (not null, not an array), read by own keys only. */
function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

const STAGE_TYPES = ['gain', 'resample', 'separate', 'metrics'] as const;
const DSP_STEMS: readonly string[] = new DspSeparator().stems;

function parseStage(value: unknown, index: number): StreamConfig['processors'][number] {
  const stage = objectOf(value, `processors[${index}]`);
  const type = own(stage, 'type');
  switch (type) {
    case 'gain': {
      const db = own(stage, 'db');
      if (typeof db !== 'number' || !Number.isFinite(db) || Math.abs(db) > 60) throw badRequest('gain db must be a number within ±60');
      return { type, db };
    }
    case 'resample': {
      const sampleRate = own(stage, 'sampleRate');
      if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192000)
        throw badRequest('resample sampleRate must be an integer from 8000 to 192000');
      return { type, sampleRate };
    }
    case 'separate': {
      const stem = own(stage, 'stem');
      if (typeof stem !== 'string' || !DSP_STEMS.includes(stem)) throw badRequest(`separate stem must be one of ${DSP_STEMS.join(', ')}`);
      return { type, stem };
    }
    case 'metrics':
      return { type };
    default:
      throw badRequest(`unknown processor ${JSON.stringify(type ?? null)}; use ${STAGE_TYPES.join(', ')}`);
  }
}

function parseConfig(text: string): StreamConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('the first message must be a JSON object: { sampleRate, channels, processors }');
  }
  const config = objectOf(value, 'the configuration');
  const sampleRate = own(config, 'sampleRate');
  if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192000)
    throw badRequest('sampleRate must be an integer from 8000 to 192000');
  const channels = own(config, 'channels');
  if (channels !== 1 && channels !== 2) throw badRequest('channels must be 1 or 2');
  const processors = own(config, 'processors') ?? [];
  if (!Array.isArray(processors) || processors.length > 8) throw badRequest('processors must be a list of at most 8 stages');
  return { sampleRate, channels, processors: processors.map(parseStage) };
}

function buildProcessors(config: StreamConfig, send: (message: unknown) => void): Processor[] {
  return config.processors.map((stage): Processor => {
    switch (stage.type) {
      case 'gain':
        return new GainProcessor({ gainDb: stage.db });
      case 'resample':
        return new ResampleProcessor({ targetRate: stage.sampleRate });
      case 'separate':
        return {
          name: `separate(${stage.stem})`,
          // In a worker thread: separating never blocks the event loop that serves every other client.
          separation: new SeparationProcessor(new ThreadedDspSeparator({ segmentFrames: 2 * 44100 }), { closeModel: true }),
          select: new StemSelect(stage.stem),
          open(format: AudioFormat) {
            return this.separation.open(format);
          },
          async process(chunk: AudioChunk) {
            return (await this.separation.process(chunk)).map((out) => this.select.process(out));
          },
          async flush() {
            return (await this.separation.flush()).map((out) => this.select.process(out));
          },
          close() {
            return this.separation.close();
          },
        } as Processor & { separation: SeparationProcessor; select: StemSelect };
      case 'metrics':
        return {
          name: 'metrics',
          process(chunk: AudioChunk) {
            if (chunk.frames === 0) return chunk;
            let peak = 0;
            let sum = 0;
            for (const plane of chunk.planes) {
              for (const v of plane) {
                peak = Math.max(peak, Math.abs(v));
                sum += v * v;
              }
            }
            const rms = Math.sqrt(sum / Math.max(1, chunk.frames * chunk.planes.length));
            send({ type: 'metrics', seq: chunk.seq, startFrame: chunk.startFrame, frames: chunk.frames, rms, peak });
            return chunk;
          },
        };
      default:
        // parseStage admits only the four types above.
        throw badRequest(`unknown processor ${JSON.stringify((stage as { type?: unknown }).type)}`);
    }
  });
}

/**
 * `GET /v1/stream` (WebSocket): the client sends a JSON configuration, then
 * binary messages of interleaved float32 frames, then the text message
 * `"end"`; it receives the processed audio as binary messages of the same
 * kind, JSON messages from a `metrics` stage, and `{ "type": "done" }`.
 * The client is not read from while the pipeline is behind, and the
 * pipeline waits while the socket's send buffer is full.
 */
export function streamSocketRoute(app: FastifyInstance, context: ServerContext): void {
  app.get('/v1/stream', { websocket: true }, (socket: WebSocket) => {
    let source: SocketSource | undefined;
    let pipeline: Promise<unknown> | undefined;
    const send = (message: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const fail = (error: unknown) => {
      send({ type: 'error', ...toErrorResponse(error).body });
      socket.close(1008, 'error');
    };
    let release: () => void;
    try {
      release = context.slots.acquire('socket');
    } catch (error) {
      fail(error);
      return;
    }
    // A socket that never configures, or where nothing moves either way, gives its slot back: nobody holds one forever.
    // Audio going out counts as movement too (the server may be the slow side), and after "end" only the pipeline is left.
    const { socketConfigTimeoutMs, socketIdleTimeoutMs } = context.limits;
    let ended = false;
    let timer = setTimeout(
      () => fail(new SluiceError('E_TIMEOUT', `no configuration within ${socketConfigTimeoutMs} ms`)),
      socketConfigTimeoutMs,
    );
    const activity = () => {
      clearTimeout(timer);
      if (ended) return;
      timer = setTimeout(() => fail(new SluiceError('E_TIMEOUT', `nothing moved for ${socketIdleTimeoutMs} ms`)), socketIdleTimeoutMs);
    };
    socket.on('close', () => {
      clearTimeout(timer);
      source?.fail(new SluiceError('E_ABORTED', 'the client closed the stream'));
      release();
    });
    socket.on('message', (data: Buffer, binary: boolean) => {
      activity();
      try {
        if (source === undefined) {
          if (binary) throw badRequest('send the JSON configuration before any audio');
          const config = parseConfig(data.toString('utf8'));
          const format = { sampleRate: config.sampleRate, channels: config.channels };
          const processors = buildProcessors(config, send);
          source = new SocketSource(format, socket);
          const sink = new CallbackSink(async (chunk) => {
            if (chunk.frames === 0) return;
            activity();
            const bytes = interleave(chunk.planes);
            socket.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
            context.metrics.count('sluice_bytes_out_total', {}, bytes.byteLength);
            // Backpressure the other way: wait while the client is slow to take what was sent.
            while (socket.bufferedAmount > 1 << 20 && socket.readyState === socket.OPEN)
              await new Promise((resolve) => setTimeout(resolve, 5));
          });
          pipeline = new Pipeline({ source, processors, sink }).wait();
          pipeline.then(
            (stats) => {
              clearTimeout(timer);
              send({ type: 'done', stats });
              socket.close(1000, 'done');
            },
            (error: unknown) => fail(error),
          );
          send({ type: 'ready' });
        } else if (binary) {
          source.push(data);
        } else if (data.toString('utf8') === 'end') {
          ended = true;
          clearTimeout(timer);
          source.end();
        } else {
          throw badRequest('after the configuration, send binary audio or the text "end"');
        }
      } catch (error) {
        fail(error);
      }
    });
  });
}
