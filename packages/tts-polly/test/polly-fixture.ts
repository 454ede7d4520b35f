import { PollyServer, type PollyServerOptions } from '@sluice/test-servers/polly';
import { afterAll, beforeAll } from 'vitest';

export { TEST_CREDENTIALS } from '@sluice/test-servers/polly';

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
