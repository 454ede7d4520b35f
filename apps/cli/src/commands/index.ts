import type { Command } from '../io';

/**
 * A command as `sluice --help` lists it, and how to load it. Commands are
 * loaded only when run: `sluice --help` and `sluice probe` do not pay for
 * onnxruntime, eSpeak or the separation code (the CLI is built with code
 * splitting, so each command's imports stay in its own chunk).
 */
export interface CommandEntry {
  /** The word after `sluice`. */
  readonly name: string;
  /** One line for `sluice --help`. */
  readonly summary: string;
  /** Imports the command's module. */
  load(): Promise<Command>;
}

/** Every command, in the order `--help` lists them. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'Generate a tone, run it through a gain pipeline, print the stats',
    load: async () => (await import('./demo')).demoCommand,
  },
  {
    name: 'transcode',
    summary: 'Convert an audio file, streaming (never the whole file in memory)',
    load: async () => (await import('./transcode')).transcodeCommand,
  },
  {
    name: 'separate',
    summary: 'Split a song into stems (DSP by default, or an HTDemucs / MDX-Net ONNX model), streaming',
    load: async () => (await import('./separate')).separateCommand,
  },
  {
    name: 'models',
    summary: 'List, download (resumable, verified), locate and remove separation models by name',
    load: async () => (await import('./models')).modelsCommand,
  },
  {
    name: 'tts',
    summary: 'Speak text (or stdin, as it arrives) into an audio file, streaming; eSpeak offline or Amazon Polly',
    load: async () => (await import('./tts')).ttsCommand,
  },
  {
    name: 'voices',
    summary: 'List the voices of a text-to-speech engine',
    load: async () => (await import('./tts')).voicesCommand,
  },
  {
    name: 'devices',
    summary: 'List audio devices (PortAudio): ids, channels, default rates, latencies',
    load: async () => (await import('./devices')).devicesCommand,
  },
  {
    name: 'play',
    summary: 'Play an audio file on an output device',
    load: async () => (await import('./devices')).playCommand,
  },
  {
    name: 'record',
    summary: 'Record from an input device into a file (format from its extension)',
    load: async () => (await import('./devices')).recordCommand,
  },
  {
    name: 'wasm',
    summary: 'Run an audio file through a sandboxed WebAssembly module (an effect or analyser)',
    load: async () => (await import('./wasm')).wasmCommand,
  },
  {
    name: 'batch',
    summary: 'Submit, watch, retry and cancel whole catalogs on a BullMQ queue in Redis (separate, transcode, speak, metrics)',
    load: async () => (await import('./batch/index')).batchCommand,
  },
  {
    name: 'worker',
    summary: 'Run batch jobs from Redis until stopped (many per machine, on many machines); SIGTERM drains',
    load: async () => (await import('./batch/worker')).workerCommand,
  },
  {
    name: 'probe',
    summary: 'Show container, codec, rate, channels, duration, bitrate and tags of a file',
    load: async () => (await import('./probe')).probeCommand,
  },
  {
    name: 'metrics',
    summary: 'SI-SDR, SDR, SNR, correlation (and BSS-Eval) of estimates against references',
    load: async () => (await import('./metrics')).metricsCommand,
  },
  {
    name: 'info',
    summary: 'Show versions, the ffmpeg in use (and why) and its codecs',
    load: async () => (await import('./info')).infoCommand,
  },
];
