import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_STATUS, type ServerErrorCode, toErrorResponse } from '../src/errors';
import { type SluiceServer, buildServer } from '../src/index';

const codes = Object.keys(HTTP_STATUS) as ServerErrorCode[];
const root = join(import.meta.dirname, '..', '..', '..');

/** Every `'E_…'` literal in the TypeScript under `folder`: the codes that code can raise. */
function codesIn(folder: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    for (const match of readFileSync(join(entry.parentPath, entry.name), 'utf8').matchAll(/'(E_[A-Z_]+)'/g)) found.add(match[1] as string);
  }
  return found;
}

describe('one complete table from error code to HTTP status', () => {
  it('covers every code raised by the packages the server runs, and by the server itself', () => {
    const packages = ['core', 'writers', 'separation', 'tts', 'tts-espeak', 'tts-polly', 'batch', 'metrics', 'ringbuffer'];
    const raised = new Set([
      ...packages.flatMap((name) => [...codesIn(join(root, 'packages', name, 'src'))]),
      ...codesIn(join(root, 'apps', 'server', 'src')),
    ]);
    // The sandbox's and the devices' codes cannot reach a request: the server runs neither package.
    raised.delete('E_SANDBOX');
    raised.delete('E_DEVICE_UNAVAILABLE');
    expect([...raised].filter((code) => !Object.hasOwn(HTTP_STATUS, code))).toEqual([]);
    // And nothing in the table is a code no package declares (an E_ENCODE that nothing raises).
    expect(codes.filter((code) => !raised.has(code))).toEqual([]);
  });

  it.each(codes)('%s maps to its status, with the message only when the client can act on it', (code) => {
    const { status, body } = toErrorResponse(new SluiceError(code, `a ${code} happened`));
    expect(status).toBe(HTTP_STATUS[code]);
    if (status >= 500 && status !== 502 && status !== 503 && status !== 504) {
      expect(body.error).toEqual({ code: 'E_INTERNAL', message: 'internal error; see the server log' });
    } else {
      expect(body.error).toEqual({ code, message: `a ${code} happened` });
    }
  });
});

describe('the table over HTTP, code by code', () => {
  let server: SluiceServer | undefined;
  let url = '';
  beforeAll(async () => {
    server = await buildServer({ logger: false, warmUp: false, engines: {} });
    // A route of this test's own that throws the code it is asked for, as any handler might.
    server.app.get<{ Params: { code: string } }>('/test/throw/:code', async (request) => {
      throw new SluiceError(request.params.code as ServerErrorCode, `thrown ${request.params.code}`);
    });
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(codes)('%s', async (code) => {
    const response = await fetch(`${url}/test/throw/${code}`);
    expect(response.status).toBe(HTTP_STATUS[code]);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(toErrorResponse(new SluiceError(code, '')).body.error.code);
  });
});
