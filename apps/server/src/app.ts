import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import type { RegistryOptions, SeparationModel } from '@sluice/separation';
import { EnginePool, type TtsEngine, warmUp } from '@sluice/tts';
import { EspeakEngine } from '@sluice/tts-espeak';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { DEFAULT_LIMITS, type ServerContext, type ServerLimits, Slots } from './context';
import { errorHandler, toErrorResponse } from './errors';
import { JobStore } from './jobs/job-store';
import { MetricsRegistry } from './metrics/registry';
import { separationRoutes } from './routes/separations';
import { speechRoutes } from './routes/speech';
import { SPEECH_SAMPLE_RATE } from './routes/speech-request';
import { FirstAudioFirst } from './routes/first-audio';
import { streamSocketRoute } from './routes/stream-socket';

/** Options for {@link buildServer}. */
export interface ServerOptions {
  /** Text-to-speech engines by name; the first is the default (default: eSpeak only). */
  engines?: Record<string, TtsEngine>;
  /** eSpeak workers shared by every speech stream when `engines` is not given (default: the machine's cores). */
  speechWorkers?: number;
  /** The DSP separator for uploads (default: a fresh `DspSeparator` per job). */
  separator?: () => SeparationModel;
  /** Where installed separation models are found (default: the model cache, `sluice models pull`). */
  models?: RegistryOptions;
  /** Where jobs keep their files (default: a new folder in the system's temp directory). */
  dataDir?: string;
  /** Limits; see {@link ServerLimits}. */
  limits?: Partial<ServerLimits>;
  /**
   * Separations through the batch queue (BullMQ on Redis) instead of in this
   * process: uploads become `separate` jobs any `sluice worker` can take (it
   * needs the data folder mounted at the same path), and `GET /v1/batches`
   * lists the batches. `REDIS_URL` sets it for `pnpm serve`.
   */
  queue?: BatchQueueOptions;
  /** Fastify's logger option (default: warnings and errors). */
  logger?: boolean | { level: string };
  /**
   * Engines to warm before the server reports ready: each loads and speaks
   * one short utterance, so the first listener does not wait for it
   * (default: every engine; `false`: none).
   */
  warmUp?: boolean;
}

/** How the server uses the batch queue. */
export interface BatchQueueOptions {
  /** Redis URL. */
  redis: string;
  /** Run a worker for separations inside the server too (default true: one process still does everything). */
  embeddedWorker?: boolean;
  /** Key prefix of the queues (default `sluice`). */
  prefix?: string;
}

/** A built server: the Fastify instance and what it holds. */
export interface SluiceServer {
  app: FastifyInstance;
  context: ServerContext;
  /** Resolves when every engine has been warmed (`/healthz` and `/readyz` answer 503 until then). */
  ready: Promise<void>;
  /**
   * Stops listening and lets what is running finish for up to
   * `limits.shutdownTimeoutMs`; then cuts the remaining connections (their
   * synthesis and encoders stop with them), aborts running separations, ends
   * the engines and deletes every file the server wrote, its data folder
   * included when the server made it.
   */
  close(): Promise<void>;
}

/**
 * eSpeak for many listeners at once: a pool of workers sized to the cores,
 * handing every stream's first sentence out before anyone's later ones.
 */
export function espeakPool(workers = availableParallelism()): EnginePool {
  // At the responses' rate: converted in the eSpeak workers, not on the event loop. Segments of at most 250
  // characters: a worker busy with one holds a newly arrived stream's first sentence back for less.
  return new EnginePool({ create: () => new EspeakEngine({ sampleRate: SPEECH_SAMPLE_RATE, maxSegmentChars: 250 }), size: workers });
}

/** OpenAI's speech model names, accepted in `model` and listed by `GET /v1/models`. */
const SPEECH_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'];

/**
 * What every engine (each of a pool's) speaks before the server is ready: a few varied sentences, not one word,
 * so that eSpeak's WebAssembly is compiled by the optimising tier before the first listeners arrive (measured: the
 * first twenty concurrent streams' first audio p95 1.4 s after a one-word warm-up, 1.0 s after this).
 */
const WARM_UP_TEXT =
  'Warming up: the quick brown fox jumps over the lazy dog, twice. Numbers like 3.14 and 2,026 are read aloud; so are questions? And exclamations! '.repeat(
    3,
  );

async function warmEngines(engines: Map<string, TtsEngine>): Promise<void> {
  await Promise.all([...engines.values()].map((engine) => warmUp(engine, WARM_UP_TEXT)));
}

/** Where the web page lives: `web/` beside `src/` or `dist/`. */
const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

/**
 * The queue's client and, unless turned off, a worker in this process; loaded only when a queue is configured.
 * `onError` hears what the worker reports (a lost Redis connection, which it survives by reconnecting).
 */
async function connectQueue(
  options: BatchQueueOptions,
  concurrency: number,
  onError: (error: Error) => void,
): Promise<{ client: import('@sluice/batch').BatchClient; close(): Promise<void> }> {
  const { BatchClient, BatchWorker } = await import('@sluice/batch');
  const prefix = options.prefix === undefined ? {} : { prefix: options.prefix };
  const client = new BatchClient({ redis: options.redis, ...prefix });
  const worker =
    options.embeddedWorker === false
      ? undefined
      : new BatchWorker({ redis: options.redis, kinds: ['separate'], concurrency, threads: 2, drainTimeoutMs: 5000, ...prefix });
  // Unheard, an 'error' event throws inside BullMQ, which then prints it to the console.
  worker?.on('error', onError);
  await worker?.start();
  return {
    client,
    async close() {
      await worker?.close();
      await client.close();
    },
  };
}

/**
 * Builds the demo server. Fastify, because it streams replies without
 * buffering (`reply.raw` after `hijack`), enforces body limits before a
 * handler runs, has maintained plugins for multipart uploads that stream to
 * disk, WebSockets, rate limits and static files, and is among the fastest
 * Node frameworks while staying plain Node underneath.
 */
export async function buildServer(options: ServerOptions = {}): Promise<SluiceServer> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const metrics = new MetricsRegistry();
  const engines = new Map(Object.entries(options.engines ?? { espeak: espeakPool(options.speechWorkers) }));
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'sluice-server-')));
  // The queue comes up before the app (the job store needs it), so its errors reach the app's log once there is one.
  let reportQueueError = (_error: Error): void => undefined;
  const queue =
    options.queue === undefined ? undefined : await connectQueue(options.queue, limits.separationJobs, (error) => reportQueueError(error));
  const jobs = new JobStore(
    dataDir,
    {
      // With a queue the workers' number decides how many run at once: every job is handed on at once.
      concurrent: queue === undefined ? limits.separationJobs : 20,
      ...(queue === undefined ? {} : { batch: queue.client }),
      queue: limits.separationQueue,
      retentionMs: limits.retentionMs,
      ...(options.separator === undefined ? {} : { model: options.separator }),
      ...(options.models === undefined ? {} : { registry: options.models }),
    },
    metrics,
  );
  const context: ServerContext = {
    engines,
    firstAudio: new FirstAudioFirst(),
    metrics,
    limits,
    jobs,
    slots: new Slots({ speech: limits.speechStreams, socket: limits.socketStreams }, metrics),
  };
  const app = Fastify({
    logger: options.logger ?? { level: 'warn' },
    bodyLimit: limits.jsonBytes,
    // Receiving a request (uploads included) may take this long; replies stream for as long as they need.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 10_000,
    // Requests Node's parser refuses (headers too large: 431, malformed: 400) get the documented JSON error shape too.
    clientErrorHandler(error, socket) {
      const status = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify({
        error: {
          code: status === 431 ? 'E_CHUNK_TOO_LARGE' : 'E_INVALID_ARGUMENT',
          message: status === 431 ? 'the request headers are too large' : 'the request is malformed',
        },
      });
      metrics.count('sluice_errors_total', { code: status === 431 ? 'E_CHUNK_TOO_LARGE' : 'E_INVALID_ARGUMENT' });
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.destroy();
      }
    },
    // A URL that cannot be decoded (`%zz`) or a bad content type: the same JSON errors as everything else.
    frameworkErrors(error, _request, reply: FastifyReply) {
      const { status, body } = toErrorResponse(error);
      metrics.count('sluice_errors_total', { code: body.error.code });
      void reply.status(status).type('application/json').send(body);
    },
  });
  reportQueueError = (error) => app.log.warn({ err: error }, 'the embedded batch worker reported an error');
  app.setErrorHandler(errorHandler(metrics));
  app.setNotFoundHandler((request, reply) => {
    metrics.count('sluice_errors_total', { code: 'E_NOT_FOUND' });
    void reply.status(404).send({ error: { code: 'E_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.count('sluice_requests_total', { route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });
  await app.register(rateLimit, { max: limits.requestsPerMinute, timeWindow: 60_000 });
  await app.register(multipart, { limits: { fileSize: limits.uploadBytes, files: 1, fields: 10 } });
  await app.register(websocket, { options: { maxPayload: 1 << 20 } });
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', index: 'index.html' });

  speechRoutes(app, context);
  separationRoutes(app, context);
  // The batches on the queue, newest first (the page's "Batches" panel); without a queue, `enabled: false`.
  app.get('/v1/batches', async () => ({
    enabled: queue !== undefined,
    batches: queue === undefined ? [] : (await queue.client.list()).slice(0, 20),
  }));
  await app.register(async (scope) => streamSocketRoute(scope, context));
  // Event-loop delay, so CPU-heavy work on the loop shows: p50 and p99 since the previous scrape.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const scrape = () => {
    metrics.set('sluice_event_loop_delay_p50_seconds', loopDelay.percentile(50) / 1e9);
    metrics.set('sluice_event_loop_delay_p99_seconds', loopDelay.percentile(99) / 1e9);
    loopDelay.reset();
  };
  app.get('/metrics', async (_request, reply) => {
    scrape();
    return reply.type('text/plain; version=0.0.4').send(metrics.prometheus());
  });
  app.get('/metrics.json', async () => {
    scrape();
    return metrics.json();
  });

  // Warm start: engines load and speak once before the server says it is ready.
  let isReady = false;
  const ready = (options.warmUp === false ? Promise.resolve() : warmEngines(engines)).then(
    () => {
      isReady = true;
    },
    (error: unknown) => {
      app.log.error({ err: error }, 'an engine failed to warm up');
      isReady = true;
    },
  );
  app.get('/healthz', async (_request, reply) =>
    isReady ? { status: 'ok', engines: [...engines.keys()] } : reply.status(503).send({ status: 'starting', engines: [...engines.keys()] }),
  );
  app.get('/readyz', async (_request, reply) => (isReady ? { ready: true } : reply.status(503).send({ ready: false })));
  // OpenAI's model list: the speech model names the API accepts (all spoken by the default engine) and each engine.
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [...SPEECH_MODELS, ...engines.keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'sluice' })),
  }));

  return {
    app,
    context,
    ready,
    async close() {
      loopDelay.disable();
      // Referenced until the end: with every connection cut, nothing else may be keeping the event loop alive, and a
      // process whose loop empties while cleanup awaits would exit before removing its files.
      const keepAlive = setInterval(() => undefined, 1000);
      const bounded = (work: Promise<unknown>, ms: number) =>
        Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
      try {
        const closing = app.close();
        await bounded(closing, limits.shutdownTimeoutMs);
        // Whatever is still streaming is cut: each stream's client-gone signal stops its work.
        app.server.closeAllConnections();
        await bounded(jobs.close(), limits.shutdownTimeoutMs);
        if (queue !== undefined) await bounded(queue.close(), limits.shutdownTimeoutMs);
        await bounded(closing, 1000);
        await bounded(Promise.all([...engines.values()].map((engine) => engine.close?.())), 2000);
      } finally {
        if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
        clearInterval(keepAlive);
      }
    },
  };
}
