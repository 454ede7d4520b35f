import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What {@link writeAlsaFileConfig} made. */
export interface AlsaFileConfig {
  /** The folder holding `.asoundrc`: use it as HOME for the process that opens devices. */
  home: string;
  /** Where what the speaker plays lands (raw samples, the stream's format). */
  playbackFile: string;
  /** What the microphone reads (raw samples); write it before capturing. */
  captureFile: string;
}

/**
 * Writes an ALSA configuration whose default device is a `file` plugin over
 * the `null` device: playback is written to `playbackFile`, capture reads
 * `captureFile`. With HOME pointing at `home`, PortAudio sees real ALSA
 * devices on a machine without a sound card (CI, containers).
 */
export function writeAlsaFileConfig(directory: string): AlsaFileConfig {
  mkdirSync(directory, { recursive: true });
  const playbackFile = join(directory, 'played.raw');
  const captureFile = join(directory, 'captured.raw');
  writeFileSync(captureFile, new Uint8Array(0), { flag: 'a' });
  const config = `# Written by @sluice/io-devices: the default device plays into a file and records from one.
pcm.!default {
  type asym
  playback.pcm "sluice_playback"
  capture.pcm "sluice_capture"
}
pcm.sluice_playback {
  type file
  slave.pcm "null"
  file "${playbackFile}"
  format "raw"
}
pcm.sluice_capture {
  type file
  slave.pcm "null"
  file "/dev/null"
  infile "${captureFile}"
  format "raw"
}
`;
  writeFileSync(join(directory, '.asoundrc'), config);
  return { home: directory, playbackFile, captureFile };
}
