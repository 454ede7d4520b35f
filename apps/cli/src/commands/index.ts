import type { Command } from '../io';
import { demoCommand } from './demo';
import { devicesCommand, playCommand, recordCommand } from './devices';
import { infoCommand } from './info';
import { metricsCommand } from './metrics';
import { modelsCommand } from './models';
import { probeCommand } from './probe';
import { separateCommand } from './separate';
import { transcodeCommand } from './transcode';
import { ttsCommand, voicesCommand } from './tts';
import { wasmCommand } from './wasm';

/** Every command, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  demoCommand,
  transcodeCommand,
  separateCommand,
  modelsCommand,
  ttsCommand,
  voicesCommand,
  devicesCommand,
  playCommand,
  recordCommand,
  wasmCommand,
  probeCommand,
  metricsCommand,
  infoCommand,
];
