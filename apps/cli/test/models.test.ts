import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sluice } from './support/run-bin';

// `sluice models` through the built binary, against a mirror on 127.0.0.1 (SLUICE_MODELS_URL); nothing reaches the internet.
const bytes = randomBytes(300_000);
let server: Server;
let mirror = '';
const cache = mkdtempSync(join(tmpdir(), 'sluice-cli-models-'));
const env = () => ({ SLUICE_MODELS_DIR: cache, SLUICE_MODELS_URL: mirror });

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/htdemucs.onnx') response.writeHead(200, { 'Content-Length': bytes.length }).end(bytes);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('sluice models', () => {
  it('list, path, pull (hash recorded on first download), separate by name, rm', async () => {
    const list = await sluice(['models', 'list', '--json'], { env: env() });
    expect(list.code).toBe(0);
    const models = JSON.parse(list.stdout) as { name: string; installed: boolean }[];
    expect(models.map((model) => model.name)).toContain('Kim_Vocal_2');
    expect(models.every((model) => !model.installed)).toBe(true);

    const path = await sluice(['models', 'path', 'htdemucs'], { env: env() });
    expect(path.stdout.trim()).toBe(join(cache, 'htdemucs.onnx'));

    const notYet = await sluice(['separate', 'x.wav', '--out', 'o', '--model', 'htdemucs'], { env: env(), cwd: cache });
    expect(notYet.code).toBe(1);
    expect(notYet.stderr).toMatch(/sluice models pull htdemucs/);

    const pull = await sluice(['models', 'pull', 'htdemucs'], { env: env() });
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.hung || pull.leftovers).toBe(false);
    expect(pull.stderr).toMatch(/no SHA-256 is published.*recorded/);
    expect(readFileSync(join(cache, 'htdemucs.onnx')).equals(bytes)).toBe(true);

    const rm = await sluice(['models', 'rm', 'htdemucs'], { env: env() });
    expect(rm.code).toBe(0);
    expect(existsSync(join(cache, 'htdemucs.onnx'))).toBe(false);
  });

  it('unknown names and a file the mirror does not have are failures that say so', async () => {
    const unknown = await sluice(['models', 'pull', 'no-such-model'], { env: env() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no model "no-such-model".*known: htdemucs/);
    const missing = await sluice(['models', 'pull', 'Kim_Vocal_2'], { env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/HTTP 404/);
    expect((await sluice(['models', 'fetch'], { env: env() })).code).toBe(2);
  });
});
