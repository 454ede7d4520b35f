import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Issue 17 item 9, as users run it: the built `sluice-server` as a child process, stopped with SIGTERM while a
// client holds a stream open and reads nothing. It must exit by itself within its shutdown bound and leave no
// temporary folder behind.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function start(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (pnpm build; test:all builds before testing)`);
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString('utf8');
      const match = /Sluice demo server: (http:\/\/\S+)\//.exec(output);
      if (match) resolve({ child, url: match[1] as string });
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${output}`)));
  });
}

describe('the server process', () => {
  it('SIGTERM with a hung client: exits 0 by itself, cuts the client and removes its data folder', async () => {
    // A temporary folder of its own (TMPDIR), so that what other test files write at the same time is not counted.
    const temporary = mkdtempSync(join(tmpdir(), 'sluice-process-test-'));
    const { child, url } = await start({ PORT: '0', SLUICE_SHUTDOWN_TIMEOUT_MS: '1000', TMPDIR: temporary });
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const body = JSON.stringify({ input: 'A long text nobody will listen to. '.repeat(300), response_format: 'wav' });
    socket.write(
      `POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.pause();
    const cut = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Over HTTP, as an operator would see it: the stream is running.
    for (let tries = 0; tries < 300; tries++) {
      if (/^sluice_active_streams 1$/m.test(await (await fetch(`${url}/metrics`)).text())) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    // A hang guard, not a timing: the process must exit by itself.
    const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).toBe(0);
    // The client was paused (reading nothing); once it reads again it finds the server has closed the connection.
    socket.resume();
    await cut;
    expect(readdirSync(temporary)).toEqual([]);
    rmSync(temporary, { recursive: true, force: true });
  });
});
