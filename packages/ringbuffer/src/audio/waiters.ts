import { ringBufferError } from '../errors/ring-buffer-error';

/** Options for waits on a ring buffer. */
export interface WaitOptions {
  /** Reject with `E_ABORTED` when aborted. */
  signal?: AbortSignal;
  /** Reject with `E_TIMEOUT` after this many milliseconds. */
  timeoutMs?: number;
}

interface Waiter {
  ready: () => boolean;
  resolve: () => void;
}

/** Promises that resolve when a condition on the buffer becomes true; re-checked on every change. */
export class Waiters {
  private list: Waiter[] = [];

  wait(ready: () => boolean, options: WaitOptions, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    if (options.signal?.aborted) return Promise.reject(ringBufferError('E_ABORTED', `Wait for ${what} was aborted`));
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = { ready, resolve: () => finish(resolve) };
      const onAbort = () => finish(() => reject(ringBufferError('E_ABORTED', `Wait for ${what} was aborted`)));
      const finish = (settle: () => void) => {
        this.list = this.list.filter((w) => w !== waiter);
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(
          () => finish(() => reject(ringBufferError('E_TIMEOUT', `Waited ${options.timeoutMs} ms for ${what}`))),
          options.timeoutMs,
        );
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.list.push(waiter);
    });
  }

  notify(): void {
    if (this.list.length === 0) return;
    for (const waiter of [...this.list]) if (waiter.ready()) waiter.resolve();
  }
}
