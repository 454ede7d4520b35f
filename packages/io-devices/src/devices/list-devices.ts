import { SluiceError } from '@sluice/core';
import { deviceHost } from '../host/device-host-client';
import type { DeviceInfo, HostApiInfo } from '../host/protocol';

/** Every device PortAudio sees, with default rates, channel counts and latencies. */
export async function listDevices(): Promise<DeviceInfo[]> {
  return (await deviceHost.list()).devices;
}

/** The host APIs (ALSA, OSS, CoreAudio, WASAPI…), the default one marked. */
export async function listHostApis(): Promise<HostApiInfo[]> {
  return (await deviceHost.list()).hostApis;
}

/**
 * The device to open: by id, by exact name, or the default for the
 * direction; `E_DEVICE_UNAVAILABLE` naming the devices there are.
 */
export async function findDevice(wanted: number | string | undefined, direction: 'in' | 'out'): Promise<DeviceInfo> {
  const devices = await listDevices();
  const usable = devices.filter((device) => (direction === 'in' ? device.maxInputChannels : device.maxOutputChannels) > 0);
  const found =
    wanted === undefined
      ? (usable.find((device) => (direction === 'in' ? device.defaultInput : device.defaultOutput)) ?? usable[0])
      : usable.find((device) => device.id === wanted || device.name === wanted);
  if (found !== undefined) return found;
  const kind = direction === 'in' ? 'input' : 'output';
  const known = usable.map((device) => `${device.id} "${device.name}"`).join(', ');
  throw new SluiceError(
    'E_DEVICE_UNAVAILABLE',
    wanted === undefined
      ? `no ${kind} device: PortAudio found ${devices.length === 0 ? 'no devices at all' : `none with ${kind} channels`}`
      : `no ${kind} device ${JSON.stringify(wanted)}; ${known.length > 0 ? `${kind} devices: ${known}` : `there are no ${kind} devices`}`,
    { details: { wanted, devices: usable.map((device) => ({ id: device.id, name: device.name })) } },
  );
}

/** Checks channels and rate against the device before PortAudio gets them. */
export function checkStreamFormat(device: DeviceInfo, direction: 'in' | 'out', channels: number, sampleRate: number): void {
  const max = direction === 'in' ? device.maxInputChannels : device.maxOutputChannels;
  if (!Number.isInteger(channels) || channels < 1 || channels > max) {
    throw new SluiceError(
      'E_FORMAT',
      `device ${device.id} "${device.name}" takes 1 to ${max} ${direction === 'in' ? 'input' : 'output'} channels, not ${channels}`,
    );
  }
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 768000) {
    throw new SluiceError(
      'E_FORMAT',
      `sample rate ${sampleRate} is not one an audio device can run at (1000–768000 Hz); the device's default is ${device.defaultSampleRate} Hz`,
    );
  }
}
