import { describe, expect, it } from 'vitest';
import { useServer } from './helpers';

const { url } = useServer({ limits: { requestsPerMinute: 5, speechStreams: 1 } });

describe('limits a public demo needs', () => {
  it('rate-limits a client with a JSON 429', async () => {
    const statuses: number[] = [];
    let body: unknown;
    for (let i = 0; i < 7; i++) {
      const response = await fetch(`${url()}/healthz`);
      statuses.push(response.status);
      if (response.status === 429) body = await response.json();
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    expect(body).toMatchObject({ error: { code: 'E_RATE_LIMITED' } });
  });
});
