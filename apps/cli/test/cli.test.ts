import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main';
import type { CommandIo } from '../src/io';

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), interactive: false };
}

describe('sluice CLI', () => {
  it('prints its version and help', async () => {
    const io = capture();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^\d+\.\d+\.\d+/);
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/demo\s+Generate a tone/);
  });

  it('demo runs a gain pipeline and prints its stats', async () => {
    const io = capture();
    expect(await main(['demo', '--seconds', '2', '--json'], io)).toBe(0);
    const stats = JSON.parse(io.stdout[0] as string);
    expect(stats).toMatchObject({ state: 'done', inputFrames: 88200, frames: 88200 });
    expect(stats.speed).toBeGreaterThan(0); // reported; how fast is the benchmark's business
    expect(stats.stages.map((s: { name: string }) => s.name)).toEqual(['tone', 'gain', 'null-sink']);
  });

  it('unknown commands and bad options are usage errors (exit 2)', async () => {
    const io = capture();
    expect(await main(['nope'], io)).toBe(2);
    expect(io.stderr.join('')).toMatch(/unknown command "nope"/);
    expect(await main(['demo', '--bogus'], io)).toBe(2);
  });

  it('runs as a real process through the bin', async () => {
    const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=@sluice/source', bin, 'demo', '--seconds', '1'],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      },
    );
    expect(stdout).toMatch(/× real time/);
  });
});
