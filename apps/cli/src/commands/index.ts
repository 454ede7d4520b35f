import type { Command } from '../io';
import { demoCommand } from './demo';

/** Every command, in the order `--help` lists them. */
export const commands: readonly Command[] = [demoCommand];
