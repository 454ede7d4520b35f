/**
 * @packageDocumentation
 * `@sluice/io-devices/testing`: scaffolding for testing device code on a
 * machine without a sound card (CI, containers): ALSA `file` devices that
 * record what the speaker played and feed a file to the microphone.
 */
export { type AlsaFileConfig, writeAlsaFileConfig } from './alsa-files';
