/**
 * CLI start-up as users run it: the built binary (`node dist/bin.js`) as a
 * child process, `--help` and `probe FILE`, best of 7; against the ceiling,
 * Node starting an empty script; and `pnpm sluice --help` (tsx from source,
 * the development path) once. Target: ≤ 300 ms from the built binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finish, report } from '@sluice/config/bench';
import { resolveFfmpeg } from '@sluice/writers';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
if (!existsSync(bin)) throw new Error(`build the CLI first (pnpm build): ${bin} is missing`);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'sluice-startup-'));
const song = join(directory, 'song.mp3');
execFileSync((await resolveFfmpeg()).path, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=440:d=3', '-ac', '2', song]);

function best(args: string[], runs = 7, command = process.execPath): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    execFileSync(command, args, { stdio: 'ignore', cwd: root });
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

const nodeEmptyMs = best(['-e', '']);
const helpMs = best([bin, '--help']);
const probeMs = best([bin, 'probe', song]);
const figures = {
  nodeEmptyMs,
  helpMs,
  probeMs,
  helpOverNode: helpMs / nodeEmptyMs,
  probeOverNode: probeMs / nodeEmptyMs,
  pnpmSluiceHelpMs: best(['-y', 'pnpm@10.34.9', 'sluice', '--help'], 1, 'npx'),
};
report('CLI start-up, best of 7 (ms; target ≤ 300 from the built binary)', figures);
rmSync(directory, { recursive: true, force: true });
finish(figures);
