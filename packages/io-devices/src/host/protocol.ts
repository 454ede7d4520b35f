/** A device as PortAudio describes it. */
export interface DeviceInfo {
  id: number;
  name: string;
  hostApi: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  defaultSampleRate: number;
  /** Default latencies in seconds: low for interactive use, high for robust playback. */
  defaultLowInputLatency: number;
  defaultLowOutputLatency: number;
  defaultHighInputLatency: number;
  defaultHighOutputLatency: number;
  /** True for the host API's default input / output. */
  defaultInput: boolean;
  defaultOutput: boolean;
}

/** A host API (ALSA, OSS, CoreAudio, WASAPI…). */
export interface HostApiInfo {
  id: number;
  name: string;
  type: string;
  deviceCount: number;
  isDefault: boolean;
}

/** Options for opening a stream on the device host. */
export interface OpenOptions {
  deviceId: number;
  sampleRate: number;
  channels: number;
  /** Bits per sample as naudiodon counts them: 1 = float32, 8, 16, 24, 32. */
  sampleFormat: 1 | 8 | 16 | 24 | 32;
  framesPerBuffer: number;
  maxQueue: number;
}

/** Messages to the device host process. */
export type HostRequest =
  | { type: 'list'; id: number }
  | { type: 'open'; id: number; stream: number; direction: 'in' | 'out'; options: OpenOptions; readBytes?: number }
  | { type: 'write'; id: number; stream: number; data: Uint8Array }
  | { type: 'close'; id: number; stream: number; mode: 'WAIT' | 'ABORT' };

/** Messages from the device host process. */
export type HostMessage =
  | { type: 'ready'; ok: true }
  | { type: 'ready'; ok: false; reason: string }
  | { type: 'reply'; id: number; ok: true; result?: unknown }
  | { type: 'reply'; id: number; ok: false; code: string; message: string }
  | { type: 'data'; stream: number; data: Uint8Array }
  | { type: 'ended'; stream: number; error?: string };
