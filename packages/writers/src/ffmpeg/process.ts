import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { SluiceError, abortError } from '@sluice/core';

/** Options for {@link FfmpegProcess}. */
export interface FfmpegProcessOptions {
  /** Cancels the process (it is killed) and rejects pending operations with `E_ABORTED`. */
  signal?: AbortSignal;
  /** Lines of stderr kept for error messages (default 30). */
  stderrLines?: number;
  /** What this process does, for messages ("encoding mp3", "decoding song.flac"). */
  purpose: string;
  /** Whether we feed ffmpeg through stdin (default true). When false, stdin is closed and `-nostdin` is passed. */
  stdin?: boolean;
  /** Called with each complete stderr line (e.g. to read the input's stream description). */
  onLine?: (line: string) => void;
}

/**
 * One ffmpeg child process, driven safely: stdin writes wait for `drain`,
 * stderr is drained continuously (the last lines are kept for error
 * messages), stdout is read as an async iterable, the exit is always reaped,
 * and the process is killed on abort and on every error path. `closed`
 * settles once the process is gone.
 */
export class FfmpegProcess {
  private readonly child: ChildProcess;
  private readonly stderrTail: string[] = [];
  private stderrPartial = '';
  private readonly keepLines: number;
  private readonly purpose: string;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private spawnError: Error | undefined;
  private killedByUs = false;
  private readonly exited: Promise<void>;
  private readonly onAbort: () => void;
  private readonly signal: AbortSignal | undefined;
  private readonly onLine: ((line: string) => void) | undefined;

  constructor(binary: string, args: readonly string[], options: FfmpegProcessOptions) {
    this.keepLines = options.stderrLines ?? 30;
    this.purpose = options.purpose;
    this.signal = options.signal;
    this.onLine = options.onLine;
    if (options.signal?.aborted) throw abortError(options.signal, options.purpose);
    const feed = options.stdin ?? true;
    // Without our own input on stdin, `-nostdin` keeps ffmpeg from reading keystrokes from it.
    this.child = spawn(binary, ['-hide_banner', ...(feed ? [] : ['-nostdin']), ...args], {
      stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => this.keepStderr(text));
    this.child.stdin?.on('error', () => {
      // EPIPE when ffmpeg exits early: the exit status and stderr explain it.
    });
    this.exited = new Promise<void>((resolve) => {
      this.child.once('error', (error) => {
        this.spawnError = error;
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
    this.onAbort = () => this.kill();
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    void this.exited.then(() => options.signal?.removeEventListener('abort', this.onAbort));
  }

  /** The OS process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines ffmpeg wrote to stderr. */
  get stderr(): string {
    return [...this.stderrTail, this.stderrPartial].filter(Boolean).join('\n');
  }

  /** Writes to ffmpeg's stdin, waiting when its pipe buffer is full. */
  async write(data: Uint8Array): Promise<void> {
    const stdin = this.child.stdin;
    if (stdin === null || stdin.destroyed || stdin.writableEnded) throw this.failure('stdin is closed');
    if (!stdin.write(data)) {
      await Promise.race([once(stdin, 'drain'), this.exited]);
      if (this.exitCode !== null || this.spawnError) throw this.failure('exited while we were writing');
    }
  }

  /** Closes stdin: ffmpeg then finishes its output and exits. */
  endInput(): void {
    const stdin = this.child.stdin;
    if (stdin && !stdin.destroyed && !stdin.writableEnded) stdin.end();
  }

  /** ffmpeg's stdout, as it arrives; it ends early, without an error, once {@link kill} was called. */
  async *output(): AsyncGenerator<Buffer> {
    const stdout = this.child.stdout;
    if (stdout === null) return;
    try {
      for await (const data of stdout) yield data as Buffer;
    } catch (error) {
      // kill() destroyed the stream under a reader: a premature close that was asked for.
      if (!this.killedByUs) throw error;
    }
  }

  /**
   * Resolves when ffmpeg exited successfully; rejects with `E_ABORTED`,
   * `E_FFMPEG_NOT_FOUND` (spawn failed) or `classify(stderr)` (default `E_FFMPEG`).
   */
  async finished(classify?: (stderr: string) => SluiceError | undefined): Promise<void> {
    await this.exited;
    if (this.signal?.aborted) throw abortError(this.signal, this.purpose);
    if (this.spawnError) {
      throw new SluiceError('E_FFMPEG_NOT_FOUND', `Could not start ffmpeg for ${this.purpose}: ${this.spawnError.message}`, {
        cause: this.spawnError,
      });
    }
    if (this.exitCode !== 0) throw classify?.(this.stderr) ?? this.failure(this.killedByUs ? 'was stopped' : 'failed');
  }

  /** Kills the process (SIGKILL after a short SIGTERM grace) and waits until it is reaped. */
  async kill(): Promise<void> {
    if (this.exitCode !== null || this.exitSignal !== null || this.spawnError) return;
    this.killedByUs = true;
    this.child.stdin?.destroy();
    // What it writes from now on is not wanted. A reader that stopped reading leaves ffmpeg blocked on a full pipe,
    // and the child's 'close' (which `exited` waits for) waits for that pipe to be drained: destroying our end
    // lets both ffmpeg and 'close' finish without the reader.
    this.child.stdout?.destroy();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Settles when the process is gone (whatever the outcome). */
  get closed(): Promise<void> {
    return this.exited;
  }

  private failure(what: string): SluiceError {
    const status = this.exitSignal ? `signal ${this.exitSignal}` : `exit code ${this.exitCode}`;
    const reason = lastMeaningfulLine(this.stderr);
    return new SluiceError('E_FFMPEG', `ffmpeg ${what} while ${this.purpose} (${status})${reason ? `: ${reason}` : ''}`, {
      details: { stderr: this.stderr, exitCode: this.exitCode, signal: this.exitSignal },
    });
  }

  private keepStderr(text: string): void {
    const lines = (this.stderrPartial + text).split(/\r?\n|\r/);
    this.stderrPartial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      this.onLine?.(line);
      this.stderrTail.push(line);
      if (this.stderrTail.length > this.keepLines) this.stderrTail.shift();
    }
  }
}

/** The most telling line of ffmpeg's stderr: the last one that is not a progress or summary line. */
export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(size=|video:|Input #|Output #|Stream #|Duration:|Metadata:|encoder\s*:|Press \[q\])/.test(l));
  return lines.at(-1) ?? '';
}
