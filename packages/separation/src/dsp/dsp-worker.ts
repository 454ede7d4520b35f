/**
 * The DSP separator's worker: separates windows off the caller's thread
 * (the demo server's event loop, for one). Plain data in, plain data out.
 */
import { parentPort } from 'node:worker_threads';
import { DspSeparator, type DspSeparatorOptions } from './dsp-separator';

const port = parentPort;
if (port === null) throw new Error('dsp-worker must run in a worker thread');

let separator: DspSeparator | undefined;

port.on('message', (message: { id: number; options: DspSeparatorOptions; window: Float32Array[] }) => {
  try {
    separator ??= new DspSeparator(message.options);
    const stems = separator.separate(message.window);
    const transfer = [...new Set(Object.values(stems).flatMap((planes) => planes.map((plane) => plane.buffer as ArrayBuffer)))];
    port.postMessage({ id: message.id, stems }, transfer);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    port.postMessage({
      id: message.id,
      code: typeof code === 'string' ? code : 'E_INTERNAL',
      message: String((error as Error).message ?? error),
    });
  }
});
