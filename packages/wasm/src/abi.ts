/**
 * The ABI between Sluice and a WebAssembly module.
 *
 * Audio effects (`kind: 'effect'`):
 * - memory: the module either imports `env.memory` (the host gives one with
 *   the sandbox's page limit as its maximum) or exports `memory` declaring a
 *   maximum no larger than the limit; a module whose memory can grow without
 *   bound is refused.
 * - `alloc(bytes: i32) -> i32`: a pointer to `bytes` bytes the host may write.
 * - `process(ptr: i32, frames: i32, channels: i32) -> i32`: the audio at `ptr`
 *   is planar float32 (`channels` blocks of `frames` samples); the module
 *   processes it in place and returns 0, or a non-zero error code.
 * - optional `init(sampleRate: i32, channels: i32)`, `reset()`, and
 *   `set_param(index: i32, value: f64)` for the numeric parameters given in
 *   the order of `paramNames`.
 *
 * Analysers (`kind: 'analyser'`): the same, but `process` leaves the audio
 * alone and returns the length of a UTF-8 record (one JSON object, or
 * several separated by newlines) written at `record_ptr() -> i32`; the host
 * sends the bytes through a channel, where a transformer turns them into
 * objects. Audio passes through unchanged.
 *
 * Streaming functions (`callStreamingFunction`): an export
 * `name(paramsPtr, paramsLen, dataPtr, dataLen, final) -> i32` is called once
 * per chunk of the input channel with the JSON parameters and the chunk's
 * bytes (all written after `alloc`); it returns the length of the output
 * written at `record_ptr()`. Output of non-final calls goes to the output
 * channel; the final call's output is the function's result.
 *
 * Imports: only `env.memory`, `env.abort(i32, i32, i32, i32)` (a trap with
 * a message, as AssemblyScript emits) and what is granted: `sluice.now() -> f64`
 * (milliseconds, grant `clock`) and `sluice.log(ptr, len)` (grant `log`).
 * Anything else is refused at load.
 */
export const ABI_VERSION = 1;

/** Imports the host can grant beyond memory and abort. */
export type Grant = 'clock' | 'log';

/** What a module is for. */
export type ModuleKind = 'effect' | 'analyser';
