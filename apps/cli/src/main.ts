import { SluiceError } from '@sluice/core';
import { commands } from './commands/index';
import { type CommandIo, UsageError, processIo } from './io';
import { cliMessage } from './messages';
import { CLI_VERSION } from './version';

export type { Command, CommandIo } from './io';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `sluice ${CLI_VERSION}: streaming audio from the shell`,
    '',
    'Usage: sluice <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: sluice <command> --help)',
    '  -v, --version  show the version',
  ].join('\n');
}

/**
 * Runs the CLI with `argv` (without `node` and the script). Resolves to the
 * exit code: 0 success, 1 failure, 2 usage error. Never throws.
 */
export async function main(argv: string[], io: CommandIo = processIo, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.out(CLI_VERSION);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined) {
    io.err(`sluice: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io, signal);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`sluice ${name}: ${cliMessage(name, (error as Error).message)}\n\n${command.usage}`);
      return 2;
    }
    if (SluiceError.isInstance(error)) {
      io.err(`sluice ${name}: ${cliMessage(name, error.message)} [${error.code}]`);
      return 1;
    }
    io.err(`sluice ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}
