import { type ChildProcess, fork } from 'node:child_process';
import { SluiceError } from '@sluice/core';
// The built host (dist/device-host.js), or from source through tsx: chosen by the @sluice/source condition.
import { hostCommand } from '#host-command';
import type { DeviceInfo, HostApiInfo, HostMessage, HostRequest, OpenOptions } from './protocol';

/** How to get devices working, for every E_DEVICE_UNAVAILABLE about the backend. */
export const HOW_TO_FIX =
  'Sluice plays and records through naudiodon (PortAudio), an optional dependency built with node-gyp: on Debian install build-essential, python3 and libasound2 (root: apt-get install -y build-essential python3 libasound2), then reinstall (pnpm install, or pnpm rebuild naudiodon). Without a sound card, an ALSA configuration can route the default device to files (see @sluice/io-devices README).';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The main process's side of the device host: starts it on first use,
 * request/response by id, audio from input streams routed by stream id. The
 * host's own output (PortAudio and ALSA print to stdout/stderr) is kept
 * here, never printed, and its last lines go into error messages. If the
 * host dies, open streams end with E_DEVICE_UNAVAILABLE and the next call
 * starts a new one.
 */
export class DeviceHost {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<number, (message: HostMessage) => void>();
  private nextId = 1;
  private nextStream = 1;
  private log: string[] = [];

  /** Process id of the running host, if any (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The host's recent output lines (PortAudio and ALSA messages), for diagnostics. */
  get recentOutput(): readonly string[] {
    return this.log;
  }

  private start(): Promise<void> {
    this.ready ??= new Promise<void>((resolve, reject) => {
      const { script, execArgv } = hostCommand();
      const child = fork(script, [], {
        execArgv,
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, SLUICE_IO_DEVICES_ROOT: import.meta.url },
      });
      this.child = child;
      const keep = (data: Buffer) => {
        this.log.push(...data.toString('utf8').split('\n').filter(Boolean));
        this.log = this.log.slice(-40);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      child.on('message', (message: HostMessage) => {
        if (message.type === 'ready') {
          if (message.ok) resolve();
          else
            reject(
              new SluiceError(
                'E_DEVICE_UNAVAILABLE',
                `audio devices are unavailable: naudiodon could not be loaded (${message.reason}). ${HOW_TO_FIX}`,
              ),
            );
        } else if (message.type === 'reply') {
          const pending = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.ok) pending?.resolve(message.result);
          else pending?.reject(new SluiceError('E_DEVICE_UNAVAILABLE', `${message.message}${this.lastLines()}`));
        } else {
          this.listeners.get(message.stream)?.(message);
        }
        this.refresh();
      });
      child.on('exit', (code, signal) => {
        const error = new SluiceError(
          'E_DEVICE_UNAVAILABLE',
          `the audio device host stopped (${signal ?? `exit ${code}`})${this.lastLines()}`,
        );
        reject(error);
        for (const pending of this.pending.values()) pending.reject(error);
        this.pending.clear();
        for (const [stream, listener] of this.listeners) listener({ type: 'ended', stream, error: error.message });
        this.listeners.clear();
        this.child = undefined;
        this.ready = undefined;
      });
      // Referenced until it says it is ready (someone is waiting for it); from then on, only while busy.
      this.setReferenced(child, true);
    });
    return this.ready;
  }

  /** Keeps the host referenced only while something waits on it, so an idle host never holds the process open. */
  private refresh(): void {
    if (this.child !== undefined) this.setReferenced(this.child, this.pending.size > 0 || this.listeners.size > 0);
  }

  /**
   * A child keeps its parent's event loop alive through four handles: the
   * process, the IPC channel, and the stdout and stderr pipes. All four are
   * (un)referenced together; forgetting the pipes is what kept `sluice
   * devices` from ever exiting.
   */
  private setReferenced(child: ChildProcess, referenced: boolean): void {
    type Handle = { ref?: () => void; unref?: () => void } | null | undefined;
    const handles: Handle[] = [child.channel as Handle, child.stdout as Handle, child.stderr as Handle];
    if (referenced) {
      child.ref();
      for (const handle of handles) handle?.ref?.();
    } else {
      child.unref();
      for (const handle of handles) handle?.unref?.();
    }
  }

  private lastLines(): string {
    const useful = this.log.filter((line) => !/^PortAudio V|audio options:|device name is/.test(line)).slice(-3);
    return useful.length > 0 ? ` (PortAudio/ALSA said: ${useful.join(' | ')})` : '';
  }

  /** Sends a request and resolves with its result. */
  async request<T>(message: Omit<HostRequest, 'id'> & { type: HostRequest['type'] }): Promise<T> {
    await this.start();
    const child = this.child;
    if (child === undefined) throw new SluiceError('E_DEVICE_UNAVAILABLE', 'the audio device host is not running');
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.refresh();
      child.send({ ...message, id } as HostRequest);
    });
  }

  /** Devices and host APIs. */
  list(): Promise<{ devices: DeviceInfo[]; hostApis: HostApiInfo[] }> {
    return this.request({ type: 'list' });
  }

  /** Opens a stream; `onMessage` receives its data and end messages (input streams). */
  async open(
    direction: 'in' | 'out',
    options: OpenOptions,
    onMessage: (message: HostMessage) => void,
    readBytes?: number,
  ): Promise<number> {
    const stream = this.nextStream++;
    this.listeners.set(stream, onMessage);
    try {
      await this.request({ type: 'open', stream, direction, options, ...(readBytes === undefined ? {} : { readBytes }) } as Omit<
        HostRequest,
        'id'
      >);
    } catch (error) {
      this.listeners.delete(stream);
      this.refresh();
      throw error;
    }
    return stream;
  }

  write(stream: number, data: Uint8Array): Promise<void> {
    return this.request({ type: 'write', stream, data } as Omit<HostRequest, 'id'>);
  }

  async close(stream: number, mode: 'WAIT' | 'ABORT'): Promise<void> {
    try {
      await this.request({ type: 'close', stream, mode } as Omit<HostRequest, 'id'>);
    } finally {
      this.listeners.delete(stream);
      this.refresh();
    }
  }

  /** Stops the host process (the next call starts a new one). */
  async shutdown(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // Referenced while it exits: an idle host is unreferenced, and a caller awaiting this must not see the loop end first.
      this.setReferenced(child, true);
      child.kill();
    });
  }
}

/** The process-wide host. */
export const deviceHost = new DeviceHost();

/**
 * Stops the device host process (PortAudio's). Open streams end; the next
 * device call starts it again. Call it when a program is done with devices.
 */
export function closeDevices(): Promise<void> {
  return deviceHost.shutdown();
}
