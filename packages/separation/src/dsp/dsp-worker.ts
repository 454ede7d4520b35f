/**
 * The DSP separator's worker: separates windows off the caller's thread
 * (the demo server's event loop, for one). Plain data in, plain data out.
 */
import { parentPort } from 'node:worker_threads';
import type { StemPlanes } from '../model/types';
import { lowerThreadPriority } from '../worker/background-priority';
import { DspSeparator, type DspSeparatorOptions } from './dsp-separator';

/** What the worker answers, by request id. */
export type DspWorkerReply = { id: number } & ({ type: 'result'; stems: StemPlanes } | { type: 'error'; code: string; message: string });

const port = parentPort;
if (port === null) throw new Error('dsp-worker must run in a worker thread');

lowerThreadPriority();

let separator: DspSeparator | undefined;

port.on('message', (message: { id: number; options: DspSeparatorOptions; window: Float32Array[] }) => {
  try {
    separator ??= new DspSeparator(message.options);
    const stems = separator.separate(message.window);
    const transfer = [...new Set(Object.values(stems).flatMap((planes) => planes.map((plane) => plane.buffer as ArrayBuffer)))];
    port.postMessage({ type: 'result', id: message.id, stems } satisfies DspWorkerReply, transfer);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    port.postMessage({
      type: 'error',
      id: message.id,
      code: typeof code === 'string' ? code : 'E_INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    } satisfies DspWorkerReply);
  }
});
