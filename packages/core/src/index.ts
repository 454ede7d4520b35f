/**
 * @packageDocumentation
 * `@sluice/core`: the chunk contract every Sluice package speaks, Source →
 * Processor → Sink with a backpressured Pipeline, bounded channels, typed
 * errors, and the sample-format converters used at the edges.
 */
export type { SluiceErrorCode, SluiceErrorCodes } from './errors/codes';
export { SluiceError, abortError, type SluiceErrorOptions } from './errors/sluice-error';

export {
  type AudioFormat,
  MAX_CHANNELS,
  MAX_SAMPLE_RATE,
  describeFormat,
  sameFormat,
  validateFormat,
} from './format/audio-format';
export { StreamingContext, type StreamingContextOptions } from './format/streaming-context';

export {
  type AudioChunk,
  type AudioChunkInit,
  type ChunkMeta,
  type Planes,
  type Stems,
  allocatePlanes,
  assertChunkFormat,
  chunkSeconds,
  createAudioChunk,
  slicePlanes,
  stemPlanes,
  withChunk,
} from './chunk/audio-chunk';
export { type ByteChunk, createByteChunk, isByteChunk } from './chunk/byte-chunk';
export { ChunkStamper } from './chunk/chunk-stamper';

export { deinterleave, interleave } from './convert/interleave';
export {
  type EncodePcmOptions,
  SAMPLE_FORMATS,
  type SampleFormat,
  bitsPerSample,
  bytesPerSample,
  decodePcm,
  encodePcm,
  floatToInt16,
  floatToInt24,
  floatToInt32,
  int16ToFloat,
  int24ToFloat,
  int32ToFloat,
  isFloatFormat,
} from './convert/sample-format';
export { downmixToMono, remixPlanes, upmixMonoToStereo } from './convert/remix';

export {
  type Processor,
  type ProcessorOutput,
  type Sink,
  type Source,
  type SyncPullIterator,
  canPullSync,
} from './stream/types';

export { CallbackSource, type CallbackSourceOptions, type CallbackYield } from './sources/callback-source';
export { GeneratedSource, type GeneratedSourceOptions } from './sources/generator-source';
export { NoiseSource, type NoiseSourceOptions, SilenceSource, ToneSource, type ToneSourceOptions } from './sources/tone-source';

export { CallbackSink, type CallbackSinkOptions, NullSink } from './sinks/callback-sink';
export { CollectSink, type CollectSinkOptions, concatPlanes } from './sinks/collect-sink';

export { GainProcessor, type GainOptions, IdentityProcessor, dbToGain, gainToDb } from './processors/gain-processor';
export { ResampleProcessor, type ResampleOptions } from './processors/resample/resample-processor';
export { type ResamplerDesign, type ResamplerDesignOptions, designResampler } from './processors/resample/resampler-design';

export { Pipeline, type PipelineEvents, type PipelineOptions, type WaitOptions } from './pipeline/pipeline';
export { run, type RunOptions } from './pipeline/run';
export { type PipelineState, type PipelineStats, type StageKind, type StageStats, formatStats } from './pipeline/stats';

export { PcmDecoder, type PcmDecodeOptions, pcmBytes, pcmSource } from './adapters/pcm-codec';
export {
  iterateByteStream,
  readableStreamSource,
  sinkToWritableStream,
  sourceToReadableStream,
  writableStreamSink,
} from './adapters/web-streams';
export { nodeReadableSource, nodeWritableSink, sinkToNodeWritable, sourceToNodeReadable, writeToNode } from './adapters/node-streams';

export type { ChannelChunk, ChannelConfig, ChannelStats, StreamingChannel } from './channels/types';
export { MemoryChannel } from './channels/memory-channel';
export { FileChannel, type FileChannelConfig } from './channels/file-channel';
export { ChannelManager, StreamingFactory } from './channels/manager';
export { chunkByteSize, splitChunk } from './channels/chunk-size';
export { decodeChunkRecord, encodeChunkRecord } from './channels/chunk-codec';
export { audioToBytes, bytesToAudio, bytesToNdjson, ndjsonToBytes } from './channels/transformers';

export { Fft, type RealPairSpectra, fftPlan, nextPowerOfTwo, realPairSpectra } from './dsp/fft';
export { BluesteinFft, type ComplexFft, anySizeFftPlan } from './dsp/bluestein';
export { Radix3Fft, fastFftSize } from './dsp/radix3';
