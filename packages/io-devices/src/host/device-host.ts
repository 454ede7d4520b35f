/**
 * The device host: a child process that owns naudiodon's native binding.
 * Loading the binding directly (not naudiodon's index.js) keeps its
 * segfault handler out; running it in a child process keeps PortAudio's and
 * ALSA's own printing, and any native crash, out of the user's process.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DeviceInfo, HostMessage, HostRequest, OpenOptions } from './protocol';

interface NativeStream {
  start(): void;
  read(bytes: number): Promise<{ buf?: Buffer; finished?: boolean; err?: Error }>;
  write(data: Buffer): Promise<Error | undefined>;
  quit(mode: 'WAIT' | 'ABORT', done?: () => void): Promise<void>;
}

/** A device as naudiodon reports it: our fields, with the host API under its own name. */
type NativeDevice = Omit<DeviceInfo, 'hostApi' | 'defaultInput' | 'defaultOutput'> & { hostAPIName: string };

interface NativeBinding {
  getDevices(): NativeDevice[];
  getHostAPIs(): {
    defaultHostAPI: number;
    HostAPIs: { id: number; name: string; type: string; deviceCount: number; defaultInput: number; defaultOutput: number }[];
  };
  create(options: { inOptions?: Record<string, unknown>; outOptions?: Record<string, unknown> }): NativeStream;
}

const send = (message: HostMessage) => process.send?.(message);

function loadBinding(): NativeBinding {
  const override = process.env.SLUICE_NAUDIODON_BINDING;
  if (override !== undefined) return createRequire(import.meta.url)(override) as NativeBinding;
  const require = createRequire(process.env.SLUICE_IO_DEVICES_ROOT ?? import.meta.url);
  const root = dirname(require.resolve('naudiodon/package.json'));
  return require(join(root, 'build', 'Release', 'naudiodon.node')) as NativeBinding;
}

let binding: NativeBinding;
try {
  binding = loadBinding();
  send({ type: 'ready', ok: true });
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  // Say why, then leave once the message is out.
  process.send?.({ type: 'ready', ok: false, reason } satisfies HostMessage, () => process.exit(0));
  binding = undefined as never;
}

const streams = new Map<number, NativeStream & { open: boolean }>();

function list() {
  const apis = binding.getHostAPIs();
  const hostApis = apis.HostAPIs.map((api) => ({
    id: api.id,
    name: api.name,
    type: api.type,
    deviceCount: api.deviceCount,
    isDefault: api.id === apis.defaultHostAPI,
  }));
  const defaultApi = apis.HostAPIs.find((api) => api.id === apis.defaultHostAPI);
  const native = binding.getDevices();
  // PortAudio's host-API defaults are indices among that API's own devices.
  const seen = new Map<string, number>();
  const devices = native.map(({ hostAPIName, ...device }) => {
    const ordinal = seen.get(hostAPIName) ?? 0;
    seen.set(hostAPIName, ordinal + 1);
    const isDefaultApi = defaultApi !== undefined && defaultApi.name === hostAPIName;
    return {
      ...device,
      hostApi: hostAPIName,
      defaultInput: isDefaultApi && defaultApi.defaultInput === ordinal,
      defaultOutput: isDefaultApi && defaultApi.defaultOutput === ordinal,
    };
  });
  return { devices, hostApis };
}

function nativeOptions(options: OpenOptions) {
  return {
    deviceId: options.deviceId,
    sampleRate: options.sampleRate,
    channelCount: options.channels,
    sampleFormat: options.sampleFormat,
    framesPerBuffer: options.framesPerBuffer,
    maxQueue: options.maxQueue,
    closeOnError: false,
  };
}

async function readLoop(streamId: number, stream: NativeStream & { open: boolean }, bytes: number): Promise<void> {
  try {
    while (stream.open) {
      const result = await stream.read(bytes);
      if (result.err) throw result.err;
      if (result.finished || !stream.open) break;
      if (result.buf && result.buf.length > 0) send({ type: 'data', stream: streamId, data: result.buf });
    }
    send({ type: 'ended', stream: streamId });
  } catch (error) {
    send({ type: 'ended', stream: streamId, error: error instanceof Error ? error.message : String(error) });
  }
}

process.on('message', async (request: HostRequest) => {
  try {
    let result: unknown;
    if (request.type === 'list') {
      result = list();
    } else if (request.type === 'open') {
      const options = nativeOptions(request.options);
      const stream = Object.assign(binding.create(request.direction === 'in' ? { inOptions: options } : { outOptions: options }), {
        open: true,
      });
      streams.set(request.stream, stream);
      stream.start();
      if (request.direction === 'in') void readLoop(request.stream, stream, request.readBytes ?? 4096);
    } else if (request.type === 'write') {
      const stream = streams.get(request.stream);
      if (stream === undefined) throw new Error(`no stream ${request.stream}`);
      const error = await stream.write(Buffer.from(request.data.buffer, request.data.byteOffset, request.data.byteLength));
      if (error) throw error;
    } else {
      const stream = streams.get(request.stream);
      if (stream !== undefined) {
        stream.open = false;
        streams.delete(request.stream);
        await stream.quit(request.mode);
      }
    }
    send({ type: 'reply', id: request.id, ok: true, result });
  } catch (error) {
    send({
      type: 'reply',
      id: request.id,
      ok: false,
      code: 'E_DEVICE_UNAVAILABLE',
      message: error instanceof Error ? error.message : String(error),
    });
  }
});

process.on('disconnect', () => process.exit(0));
