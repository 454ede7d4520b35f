import { expectThrowCode } from '@sluice/config/test-helpers';
import { describe, expect, it } from 'vitest';
import { BatchWorker } from '../src/index';

// The options are checked when the worker is made, before it connects: no Redis needed.
describe('BatchWorker options', () => {
  it.each([
    ['lockMs', 999],
    ['lockMs', 1500.5],
    ['concurrency', 0],
    ['threads', -1],
    ['drainTimeoutMs', -1],
  ])('refuses %s = %d', (name, value) => {
    const error = expectThrowCode(() => new BatchWorker({ redis: 'redis://127.0.0.1:1', [name]: value }), 'E_INVALID_ARGUMENT');
    expect(error.message).toContain(name);
  });

  it('refuses a lock under a second: renewals every half lock would stall on any loaded machine', () => {
    expect(() => new BatchWorker({ redis: 'redis://127.0.0.1:1', lockMs: 1000 })).not.toThrow();
    const error = expectThrowCode(() => new BatchWorker({ redis: 'redis://127.0.0.1:1', lockMs: 500 }), 'E_INVALID_ARGUMENT');
    expect(error.message).toMatch(/at least 1000/);
  });

  it("refuses kinds it does not know ('toString' included)", () => {
    expectThrowCode(() => new BatchWorker({ redis: 'redis://127.0.0.1:1', kinds: ['toString' as 'separate'] }), 'E_INVALID_ARGUMENT');
  });
});
