/** Small shared formatting and option-parsing helpers for commands. */
import { UsageError } from './io';

/** `1.23` → `1.23 s`; long durations as m:ss. */
export function seconds(value: number): string {
  if (!Number.isFinite(value)) return 'unknown';
  if (value < 60) return `${value.toFixed(2)} s`;
  const minutes = Math.floor(value / 60);
  return `${minutes}:${(value - minutes * 60).toFixed(1).padStart(4, '0')}`;
}

/** A one-line progress bar for terminals. */
export function progressBar(fraction: number, width = 24): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** Parses `192k`, `192`, `192kbps` into kbit/s. */
export function parseBitrate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(k|kbps|kb\/s)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`bitrate "${text}" is not understood; use e.g. 192k`);
  return Number(match[1]);
}

/** Parses a positive integer option. */
export function parsePositiveInteger(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  return value;
}
