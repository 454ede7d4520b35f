/**
 * The sandbox worker, as source text: it runs with `eval: true`, so it needs
 * no file next to the package and imports nothing. It instantiates the
 * module with exactly the imports the host built, and answers requests.
 */
export const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
let instance, memory, exportsOf, kind, buffer = { ptr: 0, bytes: 0 };
// The mailbox: audio for process() comes and goes through shared memory slots, not messages (see mailbox.ts).
let control, shared = new Float32Array(0), capacity = 0;
const SLOTS = 4, POSTED = 0, ANSWERED = 1, SLEEPING = 2, FIRST_SLOT = 4, SLOT_WORDS = 4;

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
  control = new Int32Array(message.control);
  // After the load reply has gone out.
  setImmediate(() => serve(0));
}

// Answers every posted chunk, in order, then waits for more. While audio streams the next chunk comes within
// microseconds: the worker blocks for it (a futex wake-up, not a turn of the event loop) for up to 2 ms, then
// waits asynchronously, so that messages (reset, calls, termination) get through between streams.
function serve(answered) {
  for (;;) {
    while (Atomics.load(control, POSTED) > answered) answer(++answered);
    // Watched for 50 µs first: a streaming host posts again sooner than a futex sleep and wake-up take.
    const spinUntil = performance.now() + 0.05;
    while (Atomics.load(control, POSTED) === answered && performance.now() < spinUntil);
    if (Atomics.load(control, POSTED) > answered) continue;
    Atomics.store(control, SLEEPING, 1);
    const outcome = Atomics.load(control, POSTED) > answered ? 'not-equal' : Atomics.wait(control, POSTED, answered, 2);
    Atomics.store(control, SLEEPING, 0);
    if (outcome === 'timed-out') break;
  }
  Atomics.store(control, SLEEPING, 1);
  const waiting = Atomics.waitAsync(control, POSTED, answered);
  const resume = () => {
    Atomics.store(control, SLEEPING, 0);
    serve(answered);
  };
  if (waiting.async) waiting.value.then(resume);
  else resume();
}

function answer(seq) {
  const slot = (seq - 1) % SLOTS, base = FIRST_SLOT + slot * SLOT_WORDS, offset = slot * capacity;
  const frames = control[base], channels = control[base + 1], count = frames * channels;
  try {
    const ptr = area(count * 4);
    heapF32(ptr, count).set(shared.subarray(offset, offset + count));
    const result = exportsOf.process(ptr, frames, channels);
    control[base + 3] = 0;
    if (kind === 'analyser') {
      const record = output(result);
      if (record) {
        control[base + 3] = record.length;
        parentPort.postMessage({ type: 'mailbox', seq, record }, [record.buffer]);
      }
    } else {
      if (result !== 0) throw new Error('process() returned error code ' + result);
      shared.set(heapF32(ptr, count), offset);
    }
    control[base + 2] = 0;
  } catch (error) {
    control[base + 2] = 1;
    parentPort.postMessage({ type: 'mailbox', seq, trap: error instanceof WebAssembly.RuntimeError, message: String(error && error.message || error) });
  }
  Atomics.store(control, ANSWERED, seq);
  Atomics.notify(control, ANSWERED);
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
    else if (message.type === 'reset') { if (typeof exportsOf.reset === 'function') exportsOf.reset(); }
    else if (message.type === 'mailbox-data') { shared = new Float32Array(message.data); capacity = message.capacity; }
    else if (message.type === 'call') result = call(message);
    const transfer = [];
    if (result.data) transfer.push(result.data.buffer);
    parentPort.postMessage({ type: 'reply', id: message.id, ok: true, ...result }, transfer);
  } catch (error) {
    parentPort.postMessage({ type: 'reply', id: message.id, ok: false, trap: error instanceof WebAssembly.RuntimeError || error instanceof WebAssembly.LinkError, message: String(error && error.message || error) });
  }
});
`;
