import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** How far separation workers step back: nice 10, so the caller's own thread wins whenever the cores are busy. */
export const BACKGROUND_NICENESS = 10;

/**
 * Lowers the scheduling priority of the calling thread only (on Linux a
 * thread's nice value is its own, and threads it starts inherit it: so do
 * onnxruntime's). Separation is batch work; the thread that started it (a
 * server's event loop, a CLI's progress bar) should not wait for a core
 * behind it. Elsewhere (no /proc/thread-self) nothing changes. Returns
 * whether the priority was lowered.
 */
export function lowerThreadPriority(niceness = BACKGROUND_NICENESS): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    // Never the process's main thread (its id is the pid): that is the caller this protects.
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return false;
    setPriority(tid, niceness);
    return true;
  } catch {
    return false;
  }
}
