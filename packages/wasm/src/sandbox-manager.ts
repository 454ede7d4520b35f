import { readFileSync } from 'node:fs';
import { type ByteChunk, SluiceError, type StreamingChannel, createByteChunk } from '@sluice/core';
import { type InstanceOptions, type InstanceStats, SandboxInstance, compileModule } from './sandbox-instance';

/**
 * Loads modules once and runs many sandboxed instances of them, like wasm-sandbox's
 *  `WasmSandbox` (`load_module`, `create_instance`,
 * `call_streaming_function`): each instance has its own worker, limits and
 * counters, and several run in parallel.
 */
export class SandboxManager {
  private readonly modules = new Map<string, ReturnType<typeof compileModule>>();
  private readonly instances = new Map<string, SandboxInstance>();
  private nextModule = 1;
  private nextInstance = 1;

  /** Compiles module bytes (or a file) once; returns its id. */
  loadModule(module: Uint8Array | string): string {
    const bytes = typeof module === 'string' ? readFileSync(module) : module;
    const id = `module-${this.nextModule++}`;
    this.modules.set(id, compileModule(bytes));
    return id;
  }

  /** Starts an instance of a loaded module (checked against the sandbox rules); resolves once it is instantiated. */
  async createInstance(moduleId: string, options: InstanceOptions = {}): Promise<string> {
    const compiled = this.modules.get(moduleId);
    if (compiled === undefined) throw new SluiceError('E_INVALID_ARGUMENT', `no module ${moduleId}`);
    const id = `instance-${this.nextInstance++}`;
    const instance = new SandboxInstance(id, compiled.module, compiled.info, options);
    this.instances.set(id, instance);
    try {
      await instance.ready();
    } catch (error) {
      this.instances.delete(id);
      await instance.close();
      throw error;
    }
    return id;
  }

  /** The instance behind an id. */
  instance(id: string): SandboxInstance {
    const instance = this.instances.get(id);
    if (instance === undefined) throw new SluiceError('E_INVALID_ARGUMENT', `no instance ${id}`);
    return instance;
  }

  /** Counters of every instance, by id. */
  stats(): Record<string, InstanceStats & { dead: boolean }> {
    return Object.fromEntries([...this.instances].map(([id, instance]) => [id, { ...instance.stats, dead: instance.dead }]));
  }

  /**
   * Calls a streaming function of an instance with JSON parameters, once per
   * chunk of `input` (see the ABI); output of non-final calls is sent to
   * `output` when given; the final call's output, as text, is the result.
   */
  async callStreamingFunction(
    instanceId: string,
    name: string,
    params: unknown,
    input: StreamingChannel<ByteChunk>,
    output?: StreamingChannel<ByteChunk>,
  ): Promise<string> {
    const instance = this.instance(instanceId);
    const paramBytes = new TextEncoder().encode(JSON.stringify(params ?? {}));
    let result: Uint8Array | undefined;
    let seq = 0;
    let sawFinal = false;
    for await (const chunk of input) {
      const out = await instance.call(name, paramBytes, chunk.data, chunk.final);
      if (chunk.final) {
        result = out;
        sawFinal = true;
      } else if (out !== undefined && output !== undefined) {
        await output.send(createByteChunk({ data: out, seq: seq++ }));
      }
    }
    // A channel closed without a final chunk still ends the call: one last, empty, final call.
    if (!sawFinal) result = await instance.call(name, paramBytes, new Uint8Array(0), true);
    output?.close();
    return new TextDecoder().decode(result ?? new Uint8Array(0));
  }

  /** Stops one instance. */
  async closeInstance(id: string): Promise<void> {
    await this.instances.get(id)?.close();
    this.instances.delete(id);
  }

  /** Stops every instance. */
  async close(): Promise<void> {
    await Promise.all([...this.instances.keys()].map((id) => this.closeInstance(id)));
  }
}
