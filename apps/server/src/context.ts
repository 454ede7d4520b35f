import type { FirstAudioFirst } from './routes/first-audio';
import { SluiceError } from '@sluice/core';
import type { TtsEngine } from '@sluice/tts';
import type { JobStore } from './jobs/job-store';
import type { MetricsRegistry } from './metrics/registry';

/** Limits a public demo needs. */
export interface ServerLimits {
  /** Largest JSON body in bytes (default 64 KiB). */
  jsonBytes: number;
  /** Largest upload in bytes (default 100 MiB). */
  uploadBytes: number;
  /** Speech streams at once (default 64). */
  speechStreams: number;
  /** Separation jobs running at once (default 2; more wait in the queue). */
  separationJobs: number;
  /** Separation jobs waiting for a place (default 20); an upload beyond them gets 503 `E_BUFFER_OVERFLOW`. */
  separationQueue: number;
  /** WebSocket streams at once (default 16). */
  socketStreams: number;
  /** Requests per client per minute (default 600). */
  requestsPerMinute: number;
  /** How long finished separation jobs and their files are kept, in ms (default 30 min). */
  retentionMs: number;
  /** Longest time to receive a whole request, upload included, in ms (default 120 s); replies are not limited. */
  requestTimeoutMs: number;
  /** Longest wait for a client to take more of a streamed reply, in ms (default 30 s): a client that stops reading is cut off. */
  writeTimeoutMs: number;
  /** WebSocket: longest wait for the configuration message after connecting, in ms (default 10 s). */
  socketConfigTimeoutMs: number;
  /** WebSocket: longest silence from the client once configured, in ms (default 60 s). */
  socketIdleTimeoutMs: number;
  /** Longest graceful shutdown, in ms (default 10 s): what is still running then is aborted and its files removed. */
  shutdownTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  jsonBytes: 64 * 1024,
  uploadBytes: 100 * 1024 * 1024,
  speechStreams: 64,
  separationJobs: 2,
  separationQueue: 20,
  socketStreams: 16,
  requestsPerMinute: 600,
  retentionMs: 30 * 60 * 1000,
  requestTimeoutMs: 120_000,
  writeTimeoutMs: 30_000,
  socketConfigTimeoutMs: 10_000,
  socketIdleTimeoutMs: 60_000,
  shutdownTimeoutMs: 10_000,
};

/** Counts streams of each kind against their limits; `E_BUFFER_OVERFLOW` (HTTP 503) when full. */
export class Slots {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly limits: Record<string, number>,
    private readonly metrics: MetricsRegistry,
  ) {}

  /** Takes a slot or throws; the returned function gives it back (once, however often it is called). */
  acquire(kind: string): () => void {
    const used = this.used.get(kind) ?? 0;
    const limit = Object.hasOwn(this.limits, kind) ? (this.limits[kind] as number) : Number.POSITIVE_INFINITY;
    if (used >= limit)
      throw new SluiceError(
        'E_BUFFER_OVERFLOW',
        `the server is busy: ${used} ${kind} streams are running (limit ${limit}); try again shortly`,
      );
    this.used.set(kind, used + 1);
    this.metrics.add('sluice_active_streams', 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(kind);
    };
  }

  private release(kind: string): void {
    this.used.set(kind, Math.max(0, (this.used.get(kind) ?? 0) - 1));
    this.metrics.add('sluice_active_streams', -1);
  }

  count(kind: string): number {
    return this.used.get(kind) ?? 0;
  }
}

/** What every route gets. */
export interface ServerContext {
  engines: Map<string, TtsEngine>;
  /** Speech streams waiting for their first audio go first (see routes/first-audio.ts). */
  firstAudio: FirstAudioFirst;
  metrics: MetricsRegistry;
  slots: Slots;
  limits: ServerLimits;
  jobs: JobStore;
}
