/**
 * The sandbox worker, as source text: it runs with `eval: true`, so it needs
 * no file next to the package and imports nothing. It instantiates the
 * module with exactly the imports the host built, and answers requests.
 */
export const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
let instance, memory, exportsOf, kind, buffer = { ptr: 0, bytes: 0 };

function heapF32(ptr, count) { return new Float32Array(memory.buffer, ptr, count); }
function heapU8(ptr, count) { return new Uint8Array(memory.buffer, ptr, count); }
function area(bytes) {
  if (bytes > buffer.bytes) {
    const ptr = exportsOf.alloc(bytes);
    if (!(ptr > 0) || ptr + bytes > memory.buffer.byteLength) throw new Error('alloc(' + bytes + ') returned ' + ptr + ', outside the module memory');
    buffer = { ptr, bytes };
  }
  return buffer.ptr;
}
function output(length) {
  if (!(length > 0)) return undefined;
  const at = exportsOf.record_ptr();
  return heapU8(at, length).slice();
}

function load(message) {
  const { module, memoryPages, grants } = message;
  kind = message.kind;
  const env = {};
  const granted = {};
  for (const entry of WebAssembly.Module.imports(module)) {
    if (entry.module === 'env' && entry.name === 'memory') env.memory = new WebAssembly.Memory({ initial: message.importedMemoryMin, maximum: memoryPages });
    if (entry.module === 'env' && entry.name === 'abort') env.abort = (msg, file, line, col) => { throw new Error('the module aborted (line ' + line + ', column ' + col + ')'); };
    if (entry.module === 'sluice' && entry.name === 'now' && grants.includes('clock')) granted.now = () => performance.now();
    if (entry.module === 'sluice' && entry.name === 'log' && grants.includes('log')) granted.log = (ptr, len) => parentPort.postMessage({ type: 'log', text: new TextDecoder().decode(heapU8(ptr, len)) });
  }
  instance = new WebAssembly.Instance(module, { env, sluice: granted });
  exportsOf = instance.exports;
  memory = env.memory ?? exportsOf.memory;
  if (typeof exportsOf.init === 'function') exportsOf.init(message.sampleRate, message.channels);
  (message.params ?? []).forEach((value, index) => exportsOf.set_param(index, value));
}

function process(message) {
  const { data, frames, channels } = message;
  const ptr = area(data.length * 4);
  heapF32(ptr, data.length).set(data);
  const result = exportsOf.process(ptr, frames, channels);
  if (kind === 'analyser') return { data, record: output(result) };
  if (result !== 0) throw new Error('process() returned error code ' + result);
  data.set(heapF32(ptr, data.length));
  return { data };
}

function call(message) {
  const { name, params, data, final } = message;
  const fn = exportsOf[name];
  if (typeof fn !== 'function') throw new Error('the module exports no function "' + name + '"');
  const ptr = area(params.length + data.length + 8);
  heapU8(ptr, params.length).set(params);
  heapU8(ptr + params.length, data.length).set(data);
  return { output: output(fn(ptr, params.length, ptr + params.length, data.length, final ? 1 : 0)) };
}

parentPort.on('message', (message) => {
  try {
    let result = {};
    if (message.type === 'load') load(message);
    else if (message.type === 'process') result = process(message);
    else if (message.type === 'reset') { if (typeof exportsOf.reset === 'function') exportsOf.reset(); }
    else if (message.type === 'call') result = call(message);
    const transfer = [];
    if (result.data) transfer.push(result.data.buffer);
    parentPort.postMessage({ type: 'reply', id: message.id, ok: true, ...result }, transfer);
  } catch (error) {
    parentPort.postMessage({ type: 'reply', id: message.id, ok: false, trap: error instanceof WebAssembly.RuntimeError || error instanceof WebAssembly.LinkError, message: String(error && error.message || error) });
  }
});
`;
