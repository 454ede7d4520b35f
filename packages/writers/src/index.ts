/**
 * @packageDocumentation
 * `@sluice/writers`: streaming encoders for WAV, PCM, FLAC, Ogg Vorbis, Ogg
 * Opus, MP3 and AAC with correct headers, file and byte-stream sinks,
 * decoding sources, transcoding helpers and probing, driven by a typed
 * ffmpeg runner (WAV and PCM are handled in TypeScript).
 */
// Declares this package's error codes into core's registry (types only).
import './errors';
export {
  type FfmpegBinary,
  type FfmpegOrigin,
  type LocateOptions,
  REQUIRED_ENCODERS,
  inspectFfmpeg,
  locateFfmpeg,
  resolveFfmpeg,
} from './ffmpeg/resolve';
export { FfmpegProcess, type FfmpegProcessOptions } from './ffmpeg/process';
export type { StreamInfo } from './ffmpeg/stream-info';
export {
  type AudioTags,
  type EncodeOptions,
  CONTAINERS,
  type Container,
  extensionOf,
  containerFromPath,
  mimeTypeOf,
} from './encode/containers';
export type { StreamingAudioWriter } from './encode/writer';
export { AUTO_ENCODER, type EncoderChoice, createWriter, type WriterOptions } from './encode/create-writer';
export { WasmStreamWriter, type WasmContainer } from './encode/wasm-writer';
export { FfmpegStreamWriter } from './encode/ffmpeg-writer';
export { PcmStreamWriter } from './encode/pcm-writers';
export { type WavLayout, wavHeader } from './wav/header';
export { type WavInfo, WavParser } from './wav/parser';
export { FileSink, type FileSinkOptions } from './sinks/file-sink';
export { assertNotAnInput } from './files/output-guard';
export { MultiFileSink, type MultiFileSinkOptions } from './sinks/multi-file-sink';
export { type ByteSinkOptions, ByteStreamSink, BytesCallbackSink } from './sinks/byte-sinks';
export { FileSource, type FileSourceOptions } from './sources/file-source';
export { ByteStreamSource } from './sources/byte-stream-source';
export { type DecodeOptions, FfmpegDecoder } from './sources/ffmpeg-decoder';
export { type ProbeResult, probe } from './probe/probe';
export { type TranscodeInput, type TranscodeOptions, type TranscodeOutput, type TranscodeResult, transcode } from './transcode/transcode';
