/**
 * The inference worker: owns one onnxruntime session and runs windows
 * through it, STFT and iSTFT included, so that the main thread only cuts
 * segments and overlap-adds. Plain data in, plain data out.
 */
import { parentPort } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import type { InferencePlan, ValueInfo, WorkerRequest, WorkerResponse, WorkerSessionOptions } from './protocol';
import { float32ToHalf, halfToFloat32 } from './float16';
import { type PlainTensor, runPlan } from './run-plan';
import { lowerThreadPriority } from '../worker/background-priority';

// Before onnxruntime starts its threads, which inherit the priority.
lowerThreadPriority();

const port = parentPort;
if (port === null) throw new Error('inference-worker must run in a worker thread');

let session: Ort.InferenceSession | undefined;
/** Element type of each input of the loaded model (float32, or float16 for half-precision exports). */
let inputTypes = new Map<string, string>();
let runtime: typeof Ort | undefined;

/** onnxruntime-node is an optional peer: loaded on first use, with a message that says how to get it. */
async function onnxruntime(): Promise<typeof Ort> {
  if (runtime !== undefined) return runtime;
  try {
    const loaded = (await import('onnxruntime-node')) as typeof Ort & { default?: typeof Ort };
    runtime = loaded.InferenceSession === undefined && loaded.default !== undefined ? loaded.default : loaded;
    return runtime;
  } catch (error) {
    throw Object.assign(
      new Error(
        `onnxruntime-node is not installed (npm install onnxruntime-node), or failed to load: ${error instanceof Error ? error.message : String(error)}`,
      ),
      { code: 'E_MODEL' },
    );
  }
}

function describe(metadata: readonly Ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return metadata.map((value) =>
    value.isTensor
      ? { name: value.name, shape: [...value.shape], type: String(value.type) }
      : { name: value.name, shape: [], type: 'non-tensor' },
  );
}

async function load(modelPath: string, options: WorkerSessionOptions): Promise<WorkerResponse & { type: 'loaded' }> {
  const providers = options.executionProviders ?? ['cpu'];
  const ort = await onnxruntime();
  session = await ort.InferenceSession.create(modelPath, {
    executionProviders: providers,
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
    ...(options.interOpNumThreads === undefined ? {} : { interOpNumThreads: options.interOpNumThreads }),
    ...(options.graphOptimizationLevel === undefined ? {} : { graphOptimizationLevel: options.graphOptimizationLevel }),
    ...(options.executionMode === undefined ? {} : { executionMode: options.executionMode }),
    ...(options.enableCpuMemArena === undefined ? {} : { enableCpuMemArena: options.enableCpuMemArena }),
  });
  const inputs = describe(session.inputMetadata);
  inputTypes = new Map(inputs.map((input) => [input.name, input.type]));
  return { type: 'loaded', id: 0, inputs, outputs: describe(session.outputMetadata), providers };
}

async function run(plan: InferencePlan, planes: Float32Array[]): Promise<Float32Array[][]> {
  const active = session;
  if (active === undefined) throw Object.assign(new Error('no model loaded'), { code: 'E_MODEL' });
  const ort = await onnxruntime();
  return runPlan(plan, planes, async (feeds) => {
    const tensors: Record<string, Ort.Tensor> = {};
    // float16 exports take and give half-precision tensors: converted here, at the edge, so nothing else changes.
    for (const [name, value] of Object.entries(feeds)) {
      tensors[name] =
        inputTypes.get(name) === 'float16'
          ? new ort.Tensor('float16', float32ToHalf(value.data), value.dims as number[])
          : new ort.Tensor('float32', value.data, value.dims as number[]);
    }
    const out = await active.run(tensors);
    const plain: Record<string, PlainTensor> = {};
    for (const [name, value] of Object.entries(out)) {
      const data = value.type === 'float16' ? halfToFloat32(value.data as Uint16Array) : (value.data as Float32Array);
      plain[name] = { data, dims: value.dims };
    }
    return plain;
  });
}

function transferables(stems: Float32Array[][]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const planes of stems) for (const plane of planes) buffers.add(plane.buffer as ArrayBuffer);
  return [...buffers];
}

port.on('message', async (request: WorkerRequest) => {
  if (request.type === 'crash') process.exit(70);
  try {
    if (request.type === 'load') {
      const loaded = await load(request.modelPath, request.sessionOptions);
      port.postMessage({ ...loaded, id: request.id } satisfies WorkerResponse);
    } else if (request.type === 'run') {
      const stems = await run(request.plan, request.planes);
      const message = { type: 'result', id: request.id, stems } satisfies WorkerResponse;
      try {
        port.postMessage(message, transferables(stems));
      } catch {
        // Buffers onnxruntime allocated natively cannot always be transferred; copying them is the fallback.
        port.postMessage(message);
      }
    } else {
      await session?.release();
      session = undefined;
      port.postMessage({ type: 'closed', id: request.id } satisfies WorkerResponse);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    port.postMessage({
      type: 'error',
      id: request.id,
      code: typeof code === 'string' && code.startsWith('E_') ? code : 'E_MODEL',
      message: error instanceof Error ? error.message : String(error),
    } satisfies WorkerResponse);
  }
});
