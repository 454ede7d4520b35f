/**
 * @packageDocumentation
 * `@sluice/wasm`: users' WebAssembly DSP modules and analysers as pipeline
 * stages, each in a sandboxed worker thread with limits on linear memory,
 * heap, time per chunk and imports; analysers' records flow through
 * channels. The ABI is documented in `abi.ts` and the README.
 */
// Declares this package's error codes into core's registry (types only).
import './errors';
export { ABI_VERSION, type Grant, type ModuleKind } from './abi';
export { type MemoryLimits, type ModuleInfo, readModuleInfo } from './module-info';
export {
  type InstanceOptions,
  type InstanceStats,
  SandboxInstance,
  type SandboxLimits,
  checkModule,
  compileModule,
} from './sandbox-instance';
export { SandboxManager } from './sandbox-manager';
export { WasmProcessor, type WasmProcessorOptions } from './wasm-processor';
