/**
 * @packageDocumentation
 * `@sluice/io-devices`: microphone and speaker for Sluice pipelines through
 * PortAudio (naudiodon, an optional dependency run in a child process so
 * that its printing and any native crash stay out of your process). When no
 * device can be used, calls fail with `E_DEVICE_UNAVAILABLE` saying why;
 * importing this package never fails and never prints.
 */
// Declares this package's error codes into core's registry (types only).
import './errors';
export { checkStreamFormat, findDevice, listDevices, listHostApis } from './devices/list-devices';
export type { DeviceInfo, HostApiInfo } from './host/protocol';
export { HOW_TO_FIX, closeDevices } from './host/device-host-client';
export { DEVICE_SAMPLE_FORMATS, type DeviceSampleFormat } from './streams/device-format';
export { type DeviceStreamStats, SpeakerSink, type SpeakerSinkOptions } from './streams/speaker-sink';
export { MicrophoneSource, type MicrophoneSourceOptions } from './streams/microphone-source';
export { play, record } from './helpers/play-record';
