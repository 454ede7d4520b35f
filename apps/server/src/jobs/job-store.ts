import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Pipeline, SluiceError } from '@sluice/core';
import {
  type RegistryOptions,
  SeparationProcessor,
  type SeparationModel,
  ThreadedDspSeparator,
  listModels,
  loadModel,
} from '@sluice/separation';
import { FileSource, MultiFileSink, probe } from '@sluice/writers';
import type { BatchClient } from '@sluice/batch';
import { runQueued } from './queued-run';
import type { MetricsRegistry } from '../metrics/registry';

/** What a client sees of a job. */
export interface JobView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: number;
  speed?: number;
  durationSeconds?: number;
  stems: string[];
  /** The separator: `dsp`, or an installed registry model. */
  model: string;
  error?: { code: string; message: string };
}

/** The separator every job may use without weights. */
export const DSP_MODEL = 'dsp';

/** A separator a client may pick. */
export interface SeparatorChoice {
  name: string;
  description: string;
}

interface Job extends JobView {
  directory: string;
  input: string;
  events: EventEmitter<{ update: [JobView] }>;
  finishedAt?: number;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Separation jobs: each one lives in its own directory under the data
 * directory (nothing is written elsewhere), runs the streaming separation
 * pipeline from the uploaded file to one WAV per stem, reports progress,
 * and is deleted with its files after the retention time.
 */
export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;
  /** Uploads under way that have a place in the queue (checked and taken in one step, so the limit holds under a burst). */
  private readonly reserved = new Set<string>();
  /** The running separations, awaited at shutdown. */
  private readonly runs = new Set<Promise<void>>();
  /** Aborts every running separation at shutdown. */
  private readonly shutdown = new AbortController();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly root: string,
    private readonly options: {
      concurrent: number;
      queue: number;
      retentionMs: number;
      /** The DSP separator's factory (tests pass their own). */
      model?: () => SeparationModel;
      /** Where installed registry models are found. */
      registry?: RegistryOptions;
      /** With a queue (REDIS_URL): separations go to `sluice worker`s through BullMQ instead of running here. */
      batch?: BatchClient;
    },
    private readonly metrics: MetricsRegistry,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(60_000, options.retentionMs)).unref();
  }

  /**
   * Reserves a place in the queue and makes a fresh job directory for an
   * upload; the job starts with {@link start}, or the place is given back
   * with {@link abandon}. The check and the reservation happen in one
   * synchronous step, so simultaneous uploads cannot all pass the limit.
   */
  async create(): Promise<{ id: string; directory: string }> {
    if (this.reserved.size + this.queue.length >= this.options.queue)
      throw new SluiceError('E_BUFFER_OVERFLOW', `the separation queue is full (${this.options.queue} jobs waiting); try again later`);
    const id = randomUUID();
    this.reserved.add(id);
    const directory = join(this.root, id);
    try {
      await mkdir(directory, { recursive: true });
    } catch (error) {
      this.reserved.delete(id);
      throw error;
    }
    return { id, directory };
  }

  /** Gives back the place of an upload that failed (once, however often it is called) and removes its directory. */
  async abandon(id: string, directory: string): Promise<void> {
    this.reserved.delete(id);
    await rm(directory, { recursive: true, force: true });
  }

  /** What a client may pick: the DSP separator and every registry model that is installed (never downloaded here). */
  separators(): SeparatorChoice[] {
    const installed = listModels(this.options.registry ?? {}).filter((model) => model.installed);
    return [
      { name: DSP_MODEL, description: 'the weightless DSP separator (drums, bass, other, vocals)' },
      ...installed.map((model) => ({ name: model.name, description: model.description })),
    ];
  }

  /** Queues the separation of `input` (inside the job's directory) with the separator called `model`. */
  async start(id: string, directory: string, input: string, model = DSP_MODEL): Promise<JobView> {
    if (!this.separators().some((choice) => choice.name === model)) {
      await this.abandon(id, directory);
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `model must be one of ${this.separators()
          .map((choice) => choice.name)
          .join(', ')}`,
      );
    }
    let durationSeconds: number | undefined;
    try {
      durationSeconds = (await probe(input)).durationSeconds;
    } catch (error) {
      await this.abandon(id, directory);
      // The reason (ffmpeg's words, the server's paths) stays in the server; the client learns what it can act on.
      throw SluiceError.isInstance(error) && error.code !== 'E_INTERNAL'
        ? new SluiceError('E_DECODE', 'the upload is not audio that can be decoded (send WAV, FLAC, MP3, Ogg, Opus, AAC or M4A)', {
            cause: error,
          })
        : error;
    }
    this.reserved.delete(id);
    const job: Job = {
      id,
      directory,
      input,
      status: 'queued',
      progress: 0,
      stems: [],
      model,
      events: new EventEmitter(),
      ...(Number.isFinite(durationSeconds) ? { durationSeconds } : {}),
    };
    this.jobs.set(id, job);
    this.queue.push(job);
    this.pump();
    return this.view(job);
  }

  /** The job, or undefined (ids that are not UUIDs never reach the file system). */
  get(id: string): (JobView & { events: Job['events']; directory: string }) | undefined {
    if (!ID.test(id)) return undefined;
    const job = this.jobs.get(id);
    return job === undefined ? undefined : { ...this.view(job), events: job.events, directory: job.directory };
  }

  /** Path of a finished stem's WAV, or undefined (the file itself may be gone by the time it is read: retention). */
  stemPath(id: string, stem: string): string | undefined {
    const job = ID.test(id) ? this.jobs.get(id) : undefined;
    if (job === undefined || job.status !== 'done' || !job.stems.includes(stem)) return undefined;
    return join(job.directory, 'stems', `${stem}.wav`);
  }

  /** Jobs queued or running. */
  get active(): number {
    return this.running + this.queue.length;
  }

  /** Aborts what is running, drops the queue and deletes every job's files. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.queue.length = 0;
    this.shutdown.abort(new SluiceError('E_ABORTED', 'the server is shutting down'));
    await Promise.all([...this.runs].map((run) => run.catch(() => {})));
    await Promise.all([...this.jobs.values()].map((job) => rm(job.directory, { recursive: true, force: true })));
  }

  private view(job: Job): JobView {
    const { directory: _d, input: _i, events: _e, finishedAt: _f, ...view } = job;
    return { ...view, stems: [...view.stems] };
  }

  private update(job: Job, changes: Partial<JobView>): void {
    Object.assign(job, changes);
    job.events.emit('update', this.view(job));
  }

  private pump(): void {
    while (this.running < this.options.concurrent && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.running++;
      this.metrics.add('sluice_active_streams', 1);
      const run = this.run(job).finally(() => {
        this.running--;
        this.runs.delete(run);
        this.metrics.add('sluice_active_streams', -1);
        job.finishedAt = Date.now();
        this.pump();
      });
      this.runs.add(run);
    }
  }

  private async run(job: Job): Promise<void> {
    this.update(job, { status: 'running' });
    if (this.options.batch !== undefined) {
      const outcome = await runQueued(this.options.batch, job, this.shutdown.signal, (changes) => this.update(job, changes));
      if (outcome.status === 'failed') this.metrics.count('sluice_errors_total', { code: outcome.error.code });
      else this.metrics.set('sluice_separation_speed', outcome.speed);
      this.update(job, outcome);
      return;
    }
    let model: SeparationModel | undefined;
    try {
      // DSP in worker threads, so the server's event loop keeps answering while it separates; its default 10-second
      // windows, long enough for the repeating accompaniment to be found.
      model =
        job.model === DSP_MODEL
          ? (this.options.model?.() ?? new ThreadedDspSeparator())
          : await loadModel(job.model, this.options.registry ?? {});
      const source = await FileSource.open(job.input, { sampleRate: model.sampleRate });
      // 32-bit float: the stems sum to the (decoded) upload, and a loud stem is not clipped.
      const sink = new MultiFileSink(join(job.directory, 'stems'), { container: 'wav', sampleFormat: 'f32le' });
      const pipeline = new Pipeline({
        source,
        processors: [new SeparationProcessor(model)],
        sink,
        progressIntervalMs: 200,
        signal: this.shutdown.signal,
      });
      pipeline.on('progress', (stats) => {
        const progress = job.durationSeconds ? Math.min(0.99, stats.audioSeconds / job.durationSeconds) : 0;
        this.update(job, { progress, speed: stats.speed });
      });
      const stats = await pipeline.wait();
      this.metrics.set('sluice_separation_speed', stats.speed);
      this.update(job, { status: 'done', progress: 1, speed: stats.speed, stems: Object.keys(sink.files) });
    } catch (error) {
      const code = SluiceError.isInstance(error) ? error.code : 'E_INTERNAL';
      this.metrics.count('sluice_errors_total', { code });
      this.update(job, { status: 'failed', error: { code, message: SluiceError.isInstance(error) ? error.message : 'internal error' } });
    } finally {
      await model?.close();
    }
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const job of this.jobs.values()) {
      if (job.finishedAt !== undefined && now - job.finishedAt > this.options.retentionMs) {
        this.jobs.delete(job.id);
        await rm(job.directory, { recursive: true, force: true });
      }
    }
  }
}
