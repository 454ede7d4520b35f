import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built binary, as users run it (`npm i -g` puts this file behind `sluice`). */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** What one run of the binary did. */
export interface BinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when it did not exit by itself within the limit (and was killed). */
  hung: boolean;
  /** Processes of its group still alive after it exited (children it left behind). */
  leftovers: boolean;
}

export interface BinOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Standard input; by default none (as in CI: no terminal, stdin closed). */
  input?: string;
  /** The longest a command may take to exit by itself (default 60 s). */
  timeoutMs?: number;
  /** Called once it has started, e.g. to send it a signal. */
  started?: (child: ChildProcess) => void;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `node dist/bin.js ARGS` as a child process in its own process group
 * and waits, at most `timeoutMs`, for it to exit by itself. A hang is
 * reported (and the group killed), never waited out; after it exits the
 * group is checked for processes it left behind.
 */
export async function sluice(args: readonly string[], options: BinOptions = {}): Promise<BinRun> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (pnpm build; test:all builds before testing)`);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (data: Buffer) => stdout.push(data));
  child.stderr?.on('data', (data: Buffer) => stderr.push(data));
  if (options.input !== undefined) child.stdin?.end(options.input);
  options.started?.(child);
  const pid = child.pid as number;
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, options.timeoutMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(timer);
  // Children get a moment to notice their parent is gone; any still alive after that were left behind.
  const deadline = Date.now() + 3000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  const leftovers = groupAlive(pid);
  if (leftovers) process.kill(-pid, 'SIGKILL');
  return { code, signal, hung, leftovers, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
}

/** SHA-256 of each file, to show inputs are unchanged by a run. */
export function hashes(files: readonly string[]): string[] {
  return files.map((file) => createHash('sha256').update(readFileSync(file)).digest('hex'));
}
