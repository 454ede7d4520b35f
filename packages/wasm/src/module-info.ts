import { SluiceError } from '@sluice/core';

/** Linear memory limits in 64 KiB pages. */
export interface MemoryLimits {
  min: number;
  max: number | undefined;
}

/** Table limits in elements. */
export type TableLimits = MemoryLimits;

/** What the sandbox checks in a module before running it. */
export interface ModuleInfo {
  imports: {
    module: string;
    name: string;
    kind: 'function' | 'table' | 'memory' | 'global';
    memory?: MemoryLimits;
    table?: TableLimits;
  }[];
  /** Memories the module defines itself. */
  memories: MemoryLimits[];
  /** Tables the module defines itself (their elements live in the host's heap, so they are bounded too). */
  tables: TableLimits[];
  exports: { name: string; kind: string }[];
}

const KINDS = ['function', 'table', 'memory', 'global'] as const;

/** A tiny reader of the WebAssembly binary format: just the import, table, memory and export sections. */
class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.offset >= this.bytes.length) throw new SluiceError('E_SANDBOX', 'the module ends in the middle of a section');
    return this.bytes[this.offset++] as number;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 35) throw new SluiceError('E_SANDBOX', 'malformed LEB128 number in the module');
    }
  }

  name(): string {
    const length = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }

  limits(): MemoryLimits {
    const flags = this.byte();
    const min = this.u32();
    const max = flags & 1 ? this.u32() : undefined;
    return { min, max };
  }
}

/** Reads a module's imports, tables, memories and exports (without compiling it). */
export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new SluiceError('E_SANDBOX', 'not a WebAssembly module (no \\0asm header)');
  }
  const reader = new Reader(bytes);
  reader.offset = 8;
  const info: ModuleInfo = { imports: [], memories: [], tables: [], exports: [] };
  while (reader.offset < bytes.length) {
    const id = reader.byte();
    const size = reader.u32();
    const end = reader.offset + size;
    if (id === 2) {
      for (let count = reader.u32(); count > 0; count--) {
        const module = reader.name();
        const name = reader.name();
        const kind = KINDS[reader.byte()] ?? 'function';
        if (kind === 'function') reader.u32();
        else if (kind === 'table') {
          reader.byte();
          info.imports.push({ module, name, kind, table: reader.limits() });
          continue;
        } else if (kind === 'memory') {
          info.imports.push({ module, name, kind, memory: reader.limits() });
          continue;
        } else {
          reader.byte();
          reader.byte();
        }
        info.imports.push({ module, name, kind });
      }
    } else if (id === 4) {
      for (let count = reader.u32(); count > 0; count--) {
        reader.byte(); // element type (funcref, externref)
        info.tables.push(reader.limits());
      }
    } else if (id === 5) {
      for (let count = reader.u32(); count > 0; count--) info.memories.push(reader.limits());
    } else if (id === 7) {
      for (let count = reader.u32(); count > 0; count--) {
        const name = reader.name();
        const kind = KINDS[reader.byte()] ?? 'function';
        reader.u32();
        info.exports.push({ name, kind });
      }
    }
    reader.offset = end;
  }
  return info;
}
