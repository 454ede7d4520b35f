/**
 * Pipeline overhead against Node object-mode streams, same stages, same run.
 * Workload: 1024-frame stereo 44.1 kHz chunks, pre-built in memory so that
 * only the plumbing (and, for gain, the multiply) is measured. An async
 * source (a promise per chunk) is measured too, for the cost of the await.
 *
 * Ratios are `Node streams time / Sluice time`: above 1, Sluice is faster.
 */
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline as nodePipeline } from 'node:stream/promises';
import { compare, finish, report } from '@sluice/config/bench';
import {
  type AudioChunk,
  ChannelManager,
  GainProcessor,
  IdentityProcessor,
  NullSink,
  Pipeline,
  type Source,
  CallbackSource,
  createAudioChunk,
  createByteChunk,
} from '../src/index';

const FRAMES = 1024;
const CHUNKS = 40_000;
const format = { sampleRate: 44100, channels: 2 };
const pool = Array.from({ length: 64 }, () => [
  Float32Array.from({ length: FRAMES }, Math.random),
  Float32Array.from({ length: FRAMES }, Math.random),
]);
const chunks: AudioChunk[] = Array.from({ length: CHUNKS }, (_, seq) =>
  createAudioChunk({ format, planes: pool[seq % pool.length] as Float32Array[], seq, startFrame: seq * FRAMES, final: seq === CHUNKS - 1 }),
);
const audioSeconds = (CHUNKS * FRAMES) / format.sampleRate;

// Both sides read the same in-memory chunks: Node through Readable.from(array),
// Sluice through a CallbackSource over the same array (synchronous pull path).
const source = (): Source => new CallbackSource(chunks, format);

const gainProcessor = new GainProcessor({ gain: 0.5 });

async function* asyncChunks() {
  yield* chunks;
}
async function sluiceAsyncSource() {
  const asyncSource: Source = { format, [Symbol.asyncIterator]: asyncChunks };
  await new Pipeline({ source: asyncSource, processors: [new IdentityProcessor()], sink: new NullSink() }).wait();
}

async function sluice(processor: 'identity' | 'gain') {
  const stage = processor === 'identity' ? new IdentityProcessor() : gainProcessor;
  await new Pipeline({ source: source(), processors: [stage], sink: new NullSink() }).wait();
}

async function nodeStreams(processor: 'identity' | 'gain') {
  let frames = 0;
  await nodePipeline(
    Readable.from(chunks, { objectMode: true }),
    new Transform({
      objectMode: true,
      transform(chunk: AudioChunk, _encoding, callback) {
        callback(null, processor === 'identity' ? chunk : gainProcessor.process(chunk));
      },
    }),
    new Writable({
      objectMode: true,
      write(chunk: AudioChunk, _encoding, callback) {
        frames += chunk.frames;
        callback();
      },
    }),
  );
  return frames;
}

const times = await compare(
  {
    sluiceIdentity: () => sluice('identity'),
    nodeIdentity: () => nodeStreams('identity'),
    sluiceGain: () => sluice('gain'),
    nodeGain: () => nodeStreams('gain'),
    sluiceAsyncIdentity: sluiceAsyncSource,
  },
  // A run is ~10 ms: a few warm-up rounds let both sides' code reach the optimising compiler, and the median of
  // 11 interleaved rounds keeps one garbage collection or a busy neighbour from deciding the ratio.
  { rounds: 11, warmup: 3 },
);

const pipelineFigures = {
  chunks: CHUNKS,
  audioSeconds,
  identitySpeed: audioSeconds / (times.sluiceIdentity / 1000),
  gainSpeed: audioSeconds / (times.sluiceGain / 1000),
  nodeIdentitySpeed: audioSeconds / (times.nodeIdentity / 1000),
  perChunkMicros: (times.sluiceIdentity * 1000) / CHUNKS,
  nodePerChunkMicros: (times.nodeIdentity * 1000) / CHUNKS,
  asyncSourcePerChunkMicros: (times.sluiceAsyncIdentity * 1000) / CHUNKS,
  identityVsNodeStreams: times.nodeIdentity / times.sluiceIdentity,
  gainVsNodeStreams: times.nodeGain / times.sluiceGain,
};
report('Pipeline vs Node object-mode streams (1024-frame stereo chunks)', pipelineFigures);

// Channel throughput: 64 MiB of 16 KiB byte chunks through a memory channel with a 64 KiB budget.
const CHANNEL_BYTES = 64 * 1024 * 1024;
const PIECE = 16 * 1024;
async function channelRun() {
  const channel = new ChannelManager().createChannel('bench', { budgetBytes: 64 * 1024, maxChunkBytes: 64 * 1024 });
  const payload = new Uint8Array(PIECE);
  const count = CHANNEL_BYTES / PIECE;
  const producer = (async () => {
    for (let seq = 0; seq < count; seq++) await channel.send(createByteChunk({ data: payload, seq, final: seq === count - 1 }));
  })();
  let received = 0;
  for await (const chunk of channel) received += 'data' in chunk ? chunk.data.length : 0;
  await producer;
  return received;
}
const channelTimes = await compare({ channel: channelRun }, { rounds: 5 });
const channelFigures = { channelMBps: CHANNEL_BYTES / 1e6 / (channelTimes.channel / 1000) };
report('Memory channel, 64 KiB budget, 16 KiB chunks', channelFigures);

finish({ ...pipelineFigures, ...channelFigures });
