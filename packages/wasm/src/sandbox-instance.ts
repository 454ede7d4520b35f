import { Worker } from 'node:worker_threads';
import { SluiceError } from '@sluice/core';
import type { Grant, ModuleKind } from './abi';
import { ANSWERED, Mailbox, type MailboxExtra, SLOTS } from './mailbox';
import { type ModuleInfo, readModuleInfo } from './module-info';
import { WORKER_CODE } from './worker-code';

/** Limits every sandboxed instance runs under. */
export interface SandboxLimits {
  /** Largest linear memory in 64 KiB pages (default 256 = 16 MiB). */
  memoryPages?: number;
  /**
   * Largest table in elements (default 65,536). Tables live in the worker's
   * JavaScript heap, outside the linear memory's bound; one allowed to grow
   * without limit exhausts the heap in a way that ends the whole process,
   * so a table without a maximum, or with a larger one, is refused at load.
   */
  tableElements?: number;
  /** The worker's JavaScript heap in MiB (default 32). */
  heapMb?: number;
  /** Time budget per call in ms (default 1000: generous for a chunk, quick for a runaway loop); past it the worker is terminated. */
  msPerChunk?: number;
}

/** Per-instance counters. */
export interface InstanceStats {
  chunksIn: number;
  chunksOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Mean and worst time per call, in seconds (round trip to the worker). */
  meanSecondsPerChunk: number;
  maxSecondsPerChunk: number;
  traps: number;
}

/** Options for an instance. */
export interface InstanceOptions {
  kind?: ModuleKind;
  limits?: SandboxLimits;
  /** Imports granted beyond memory and abort (default none). */
  grants?: readonly Grant[];
  /** Numeric parameters passed to `set_param(index, value)` in order. */
  params?: readonly number[];
  sampleRate?: number;
  channels?: number;
}

const DEFAULTS = { memoryPages: 256, tableElements: 65_536, heapMb: 32, msPerChunk: 1000 };

/**
 * Checks a module against the sandbox rules before anything runs: only the
 * permitted imports, a linear memory and tables whose maximums are within the limits.
 * Returns what the worker needs to build the imports.
 */
export function checkModule(info: ModuleInfo, limits: Required<SandboxLimits>, grants: readonly Grant[]): { importedMemoryMin: number } {
  const allowed = new Set([
    'env.memory',
    'env.abort',
    ...(grants.includes('clock') ? ['sluice.now'] : []),
    ...(grants.includes('log') ? ['sluice.log'] : []),
  ]);
  const refused = info.imports
    .filter((entry) => !allowed.has(`${entry.module}.${entry.name}`))
    .map((entry) => `${entry.module}.${entry.name}`);
  if (refused.length > 0) {
    throw new SluiceError(
      'E_SANDBOX',
      `the module imports ${refused.join(', ')}, which the sandbox does not grant (allowed: ${[...allowed].join(', ')})`,
      {
        details: { refused },
      },
    );
  }
  const imported = info.imports.find((entry) => entry.kind === 'memory');
  for (const memory of info.memories) {
    if (memory.max === undefined || memory.max > limits.memoryPages) {
      throw new SluiceError(
        'E_SANDBOX',
        `the module's memory may grow to ${memory.max ?? 'any number of'} pages; the sandbox allows ${limits.memoryPages} (declare a maximum, e.g. -Wl,--max-memory=${limits.memoryPages * 65536}, or import env.memory)`,
      );
    }
  }
  for (const table of info.tables) {
    if (table.max === undefined || table.max > limits.tableElements) {
      throw new SluiceError(
        'E_SANDBOX',
        `the module's table may grow to ${table.max ?? 'any number of'} elements; the sandbox allows ${limits.tableElements} (declare a maximum, e.g. -Wl,--max-table-size, or raise limits.tableElements)`,
      );
    }
  }
  const min = imported?.memory?.min ?? 0;
  if (min > limits.memoryPages)
    throw new SluiceError('E_SANDBOX', `the module needs ${min} pages of memory at start; the sandbox allows ${limits.memoryPages}`);
  return { importedMemoryMin: min };
}

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
  started: number;
}

/**
 * One instance of a module in its own worker thread: memory capped by the
 * module check, the worker's heap by `resourceLimits`, every call by a time
 * budget after which the worker is terminated. After a failure the instance
 * is dead: every later call rejects with the same typed error.
 */
export class SandboxInstance {
  readonly limits: Required<SandboxLimits>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: SluiceError | undefined;
  private readonly counters = { chunksIn: 0, chunksOut: 0, bytesIn: 0, bytesOut: 0, totalMs: 0, calls: 0, maxMs: 0, traps: 0 };
  private readonly loaded: Promise<void>;
  /** Lines the module logged (grant `log`). */
  readonly logs: string[] = [];
  /** Audio to and from `process()` goes through shared memory (see mailbox.ts). */
  private readonly mailbox = new Mailbox();
  /** Chunks are posted in call order (and resets between them), one at a time. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Answers read out of their slots (so the slots can be reused), until their caller takes them. */
  private readonly answers = new Map<number, { failed: boolean; recordBytes: number; data: Float32Array }>();
  private read = 0;
  /** Extras (records, failure reasons) being awaited: their messages must arrive before the process may exit. */
  private awaitingExtras = 0;
  /** Samples in each posted chunk, until its answer is read out. */
  private readonly lengths = new Map<number, number>();

  constructor(
    readonly id: string,
    module: WebAssembly.Module,
    info: ModuleInfo,
    options: InstanceOptions = {},
  ) {
    this.limits = { ...DEFAULTS, ...options.limits };
    // A table of T elements takes about 8·T bytes of the worker's heap; one that cannot fit in a quarter of it
    // would exhaust the heap in a way V8 treats as fatal for the whole process, not just the worker.
    const tableBytesAllowed = (this.limits.heapMb * 1024 * 1024) / 4;
    if (this.limits.tableElements * 8 > tableBytesAllowed) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `limits.tableElements ${this.limits.tableElements} needs more heap than limits.heapMb ${this.limits.heapMb} leaves (at most ${Math.floor(tableBytesAllowed / 8)} elements; raise heapMb too)`,
      );
    }
    const grants = options.grants ?? [];
    const { importedMemoryMin } = checkModule(info, this.limits, grants);
    const exportNames = new Set(info.exports.map((entry) => entry.name));
    const kind = options.kind ?? 'effect';
    const missing = ['alloc', 'process', ...(kind === 'analyser' ? ['record_ptr'] : [])].filter((name) => !exportNames.has(name));
    // Modules that only offer streaming functions (no process) are checked when the function is called.
    if (exportNames.has('process') && missing.length > 0) {
      throw new SluiceError('E_SANDBOX', `the module does not follow the ${kind} ABI: no export ${missing.join(', ')}`);
    }
    if (options.params !== undefined && options.params.length > 0 && !exportNames.has('set_param')) {
      throw new SluiceError('E_SANDBOX', 'parameters were given but the module exports no set_param(index, value)');
    }
    this.worker = new Worker(WORKER_CODE, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: Math.max(4, this.limits.heapMb / 4) },
    });
    this.worker.unref();
    this.worker.on('message', (message: Record<string, unknown>) => {
      if (message.type === 'log') {
        this.logs.push(String(message.text));
        return;
      }
      if (message.type === 'mailbox') {
        this.mailbox.receive(message as unknown as MailboxExtra);
        return;
      }
      const pending = this.pending.get(message.id as number);
      if (pending === undefined) return;
      this.pending.delete(message.id as number);
      clearTimeout(pending.timer);
      const ms = performance.now() - pending.started;
      this.counters.calls++;
      this.counters.totalMs += ms;
      this.counters.maxMs = Math.max(this.counters.maxMs, ms);
      this.unrefWhenIdle();
      if (message.ok) pending.resolve(message);
      else {
        if (message.trap) this.counters.traps++;
        pending.reject(
          this.die(
            new SluiceError(
              'E_SANDBOX',
              `${this.id}: ${message.trap ? 'the module trapped' : 'the module failed'}: ${String(message.message)}`,
            ),
          ),
        );
      }
    });
    this.worker.on('error', (error) =>
      this.die(SluiceError.wrap(error, 'E_SANDBOX', `${this.id}: the sandbox worker failed (heap limit ${this.limits.heapMb} MiB?)`)),
    );
    this.worker.on('exit', (code) => this.die(new SluiceError('E_SANDBOX', `${this.id}: the sandbox worker exited (code ${code})`)));
    this.loaded = this.request({
      type: 'load',
      module,
      kind,
      memoryPages: this.limits.memoryPages,
      importedMemoryMin,
      grants,
      params: options.params ?? [],
      sampleRate: options.sampleRate ?? 48000,
      channels: options.channels ?? 1,
      control: this.mailbox.control.buffer,
    }).then(() => undefined);
    this.loaded.catch(() => undefined);
  }

  /** Counters for this instance. */
  get stats(): InstanceStats {
    const c = this.counters;
    return {
      chunksIn: c.chunksIn,
      chunksOut: c.chunksOut,
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      meanSecondsPerChunk: c.calls > 0 ? c.totalMs / c.calls / 1000 : 0,
      maxSecondsPerChunk: c.maxMs / 1000,
      traps: c.traps,
    };
  }

  /** True once the instance has failed or been closed. */
  get dead(): boolean {
    return this.failure !== undefined;
  }

  /** Resolves when the module is instantiated (rejects with why it could not be). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /**
   * Runs `process` on planar float32 audio (`channels` blocks of `frames`) through the shared-memory mailbox and
   * resolves with the result in a new array (`data` is left as it was). Calls are posted in order; up to
   * `SLOTS` may be in flight, so a caller that does not wait for one before the next keeps the worker busy
   * while it prepares the next (WasmProcessor's `inFlight`).
   */
  process(data: Float32Array, frames: number, channels: number): Promise<{ data: Float32Array; record?: Uint8Array }> {
    const posted = this.turn.then(() => this.post(data, frames, channels));
    this.turn = posted.catch(() => undefined);
    return posted.then((seq) => this.collect(seq));
  }

  private async post(data: Float32Array, frames: number, channels: number): Promise<number> {
    await this.loaded;
    if (this.failure !== undefined) throw this.failure;
    if (data.length > this.mailbox.capacity) {
      // New slots only when none is in use.
      await this.waitAnswered(this.read + this.mailbox.outstanding);
      const grown = this.mailbox.grow(data.length) as SharedArrayBuffer;
      await this.request({ type: 'mailbox-data', data: grown, capacity: this.mailbox.capacity });
    }
    // A free slot: the one SLOTS back has been answered and read out.
    if (this.mailbox.outstanding >= SLOTS) await this.waitAnswered(this.read + this.mailbox.outstanding - SLOTS + 1);
    this.counters.chunksIn++;
    this.counters.bytesIn += data.byteLength;
    this.worker.ref();
    const seq = this.mailbox.post(data, frames, channels);
    this.lengths.set(seq, data.length);
    return seq;
  }

  /** Waits until chunk `seq` is answered (the budget is per chunk, for every chunk ahead of it), then reads out every answer there is. */
  private async waitAnswered(seq: number): Promise<void> {
    const ahead = Math.max(1, seq - this.read);
    const outcome = await this.mailbox.answered(seq, this.limits.msPerChunk * ahead);
    if (this.failure !== undefined) throw this.failure;
    if (outcome === 'timed-out') {
      const error = this.die(
        new SluiceError(
          'E_SANDBOX',
          `${this.id}: the module took longer than its ${this.limits.msPerChunk} ms budget for one call; its worker was terminated`,
        ),
      );
      void this.worker.terminate();
      throw error;
    }
    const answered = Atomics.load(this.mailbox.control, ANSWERED);
    for (; this.read < answered; this.read++) {
      const next = this.read + 1;
      this.answers.set(next, this.mailbox.result(next, this.lengths.get(next) as number));
      this.lengths.delete(next);
    }
    this.unrefWhenIdle();
  }

  /**
   * Lets the process exit while the worker is idle: no request pending, no chunk in the mailbox and no
   * extra awaited. (An answered chunk's record still comes as a message; had the worker been unreferenced
   * while the host awaited it, a program with nothing else to do exited with the stream half done.)
   */
  private unrefWhenIdle(): void {
    if (this.pending.size === 0 && this.mailbox.outstanding === 0 && this.awaitingExtras === 0) this.worker.unref();
  }

  /** The extra of chunk `seq`, the worker referenced until its message has come. */
  private async extraOf(seq: number): Promise<MailboxExtra> {
    this.awaitingExtras++;
    this.worker.ref();
    try {
      return await this.mailbox.extra(seq);
    } finally {
      this.awaitingExtras--;
      this.unrefWhenIdle();
    }
  }

  private async collect(seq: number): Promise<{ data: Float32Array; record?: Uint8Array }> {
    const started = performance.now();
    if (!this.answers.has(seq)) await this.waitAnswered(seq);
    const answer = this.answers.get(seq);
    this.answers.delete(seq);
    if (answer === undefined) throw this.failure ?? new SluiceError('E_INTERNAL', `${this.id}: no answer for chunk ${seq}`);
    if (answer.failed) {
      const extra = await this.extraOf(seq);
      if (extra.trap) this.counters.traps++;
      throw this.die(
        new SluiceError('E_SANDBOX', `${this.id}: ${extra.trap ? 'the module trapped' : 'the module failed'}: ${String(extra.message)}`),
      );
    }
    const record = answer.recordBytes > 0 ? (await this.extraOf(seq)).record : undefined;
    const ms = performance.now() - started;
    this.counters.calls++;
    this.counters.totalMs += ms;
    this.counters.maxMs = Math.max(this.counters.maxMs, ms);
    this.counters.chunksOut++;
    this.counters.bytesOut += answer.data.byteLength + (record?.byteLength ?? 0);
    return record === undefined ? { data: answer.data } : { data: answer.data, record };
  }

  /** Calls the module's `reset()` if it has one, after the calls already made and before any made later. */
  reset(): Promise<void> {
    const done = this.turn.then(async () => {
      await this.loaded;
      await this.request({ type: 'reset' });
    });
    this.turn = done.catch(() => undefined);
    return done;
  }

  /** Calls a streaming function once (see the ABI). */
  async call(name: string, params: Uint8Array, data: Uint8Array, final: boolean): Promise<Uint8Array | undefined> {
    await this.loaded;
    this.counters.chunksIn++;
    this.counters.bytesIn += data.byteLength;
    const reply = await this.request({ type: 'call', name, params, data, final });
    const output = reply.output as Uint8Array | undefined;
    this.counters.chunksOut++;
    this.counters.bytesOut += output?.byteLength ?? 0;
    return output;
  }

  /** Ends the worker. */
  async close(): Promise<void> {
    this.failure ??= new SluiceError('E_CLOSED', `${this.id}: the instance was closed`);
    await this.worker.terminate();
  }

  private request(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Record<string, unknown>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // The time budget: a module that does not answer in time is stopped, whatever it is doing.
      const budget = message.type === 'load' ? Math.max(5000, this.limits.msPerChunk) : this.limits.msPerChunk;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          this.die(
            new SluiceError(
              'E_SANDBOX',
              `${this.id}: the module took longer than its ${budget} ms budget for one call; its worker was terminated`,
            ),
          ),
        );
        void this.worker.terminate();
      }, budget);
      this.pending.set(id, { resolve, reject, timer, started: performance.now() });
      this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private die(error: SluiceError): SluiceError {
    this.failure ??= error;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(this.failure);
      this.pending.delete(id);
    }
    this.worker.unref();
    return this.failure;
  }
}

/** Compiles module bytes once, after checking they are WebAssembly. */
export function compileModule(bytes: Uint8Array): { module: WebAssembly.Module; info: ModuleInfo } {
  const info = readModuleInfo(bytes);
  try {
    return { module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), info };
  } catch (error) {
    throw SluiceError.wrap(error, 'E_SANDBOX', 'the module does not compile');
  }
}
