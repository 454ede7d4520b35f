import { PollyServer, type PollyServerOptions } from '@sluice/test-servers/polly';
import { afterAll, beforeAll } from 'vitest';

/** Test credentials: the local server does not check signatures, the SDK only needs some. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

/** A Polly-compatible server started before this file's tests and stopped after them. */
export function usePollyServer(options: PollyServerOptions): PollyServer {
  const server = new PollyServer(options);
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });
  return server;
}
