/** Small shared formatting helpers for commands. */

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
