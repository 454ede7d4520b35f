/** Where a command writes: injectable so tests can capture output. */
export interface CommandIo {
  /** Normal output (results, tables, JSON). */
  out(text: string): void;
  /** Diagnostics and progress. */
  err(text: string): void;
  /** True when stdout is a terminal (progress bars, colours). */
  readonly interactive: boolean;
}

/** The process's own stdout/stderr. */
export const processIo: CommandIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
  interactive: Boolean(process.stdout.isTTY),
};

/** A command the CLI can run. */
export interface Command {
  /** The word after `sluice`. */
  readonly name: string;
  /** Full usage text for `sluice NAME --help`. */
  readonly usage: string;
  /** Runs the command; resolves to the exit code. */
  run(args: string[], io: CommandIo, signal: AbortSignal): Promise<number>;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
