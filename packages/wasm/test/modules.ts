/** WebAssembly modules the tests build from WAT source with wabt (no binaries are checked in). */
import createWabt from 'wabt';

const wabt = await createWabt();

/** Compiles WAT text to module bytes. */
export function wat(source: string): Uint8Array {
  const module = wabt.parseWat('test.wat', source);
  try {
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** A bump allocator from 4096 up, and the ABI's memory, with a declared maximum of `maxPages`. */
const common = (maxPages: number) => `
  (memory (export "memory") 2 ${maxPages})
  (global $heap (mut i32) (i32.const 4096))
  (func (export "alloc") (param $bytes i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $bytes)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.div_u (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65536)) (i32.const 1))))))
    (local.get $ptr))`;

/** Effect: every sample × gain (parameter 0, default 1). */
export const GAIN = wat(`(module ${common(64)}
  (global $gain (mut f32) (f32.const 1))
  (func (export "set_param") (param $index i32) (param $value f64)
    (if (i32.eqz (local.get $index)) (then (global.set $gain (f32.demote_f64 (local.get $value))))))
  (func (export "process") (param $ptr i32) (param $frames i32) (param $channels i32) (result i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $ptr) (i32.mul (i32.mul (local.get $frames) (local.get $channels)) (i32.const 4))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (f32.store (local.get $ptr) (f32.mul (f32.load (local.get $ptr)) (global.get $gain)))
      (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
      (br $next)))
    (i32.const 0)))`);

/** Effect with state: a one-pole low-pass y += a·(x − y) per channel (a = parameter 0); state lives at 0…, reset() clears it. */
export const ONE_POLE = wat(`(module ${common(64)}
  (global $a (mut f32) (f32.const 0.1))
  (func (export "set_param") (param $index i32) (param $value f64)
    (if (i32.eqz (local.get $index)) (then (global.set $a (f32.demote_f64 (local.get $value))))))
  (func (export "reset") (memory.fill (i32.const 0) (i32.const 0) (i32.const 256)))
  (func (export "process") (param $ptr i32) (param $frames i32) (param $channels i32) (result i32)
    (local $c i32) (local $i i32) (local $at i32) (local $y f32)
    (block $channels_done (loop $channel
      (br_if $channels_done (i32.ge_u (local.get $c) (local.get $channels)))
      (local.set $y (f32.load (i32.mul (local.get $c) (i32.const 4))))
      (local.set $i (i32.const 0))
      (block $frames_done (loop $frame
        (br_if $frames_done (i32.ge_u (local.get $i) (local.get $frames)))
        (local.set $at (i32.add (local.get $ptr) (i32.mul (i32.add (i32.mul (local.get $c) (local.get $frames)) (local.get $i)) (i32.const 4))))
        (local.set $y (f32.add (local.get $y) (f32.mul (global.get $a) (f32.sub (f32.load (local.get $at)) (local.get $y)))))
        (f32.store (local.get $at) (local.get $y))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $frame)))
      (f32.store (i32.mul (local.get $c) (i32.const 4)) (local.get $y))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $channel)))
    (i32.const 0)))`);

/** Writes the decimal digits of a non-negative i32 at $at; returns the length. */
const ITOA = `
  (func $itoa (param $value i32) (param $at i32) (result i32)
    (local $length i32) (local $tmp i32) (local $i i32)
    (local.set $tmp (local.get $value))
    (loop $count (local.set $length (i32.add (local.get $length) (i32.const 1))) (local.set $tmp (i32.div_u (local.get $tmp) (i32.const 10))) (br_if $count (local.get $tmp)))
    (local.set $i (local.get $length))
    (loop $digit
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (local.get $at) (local.get $i)) (i32.add (i32.const 48) (i32.rem_u (local.get $value) (i32.const 10))))
      (local.set $value (i32.div_u (local.get $value) (i32.const 10)))
      (br_if $digit (local.get $i)))
    (local.get $length))`;

/** Analyser: per chunk, {"frames":N,"peak_ppm":P,"rms_ppm":R} (peak and RMS in millionths) at record_ptr. */
export const PEAK_RMS = wat(`(module ${common(64)} ${ITOA}
  (data (i32.const 1024) "{\\"frames\\":")
  (data (i32.const 1040) ",\\"peak_ppm\\":")
  (data (i32.const 1056) ",\\"rms_ppm\\":")
  (func (export "record_ptr") (result i32) (i32.const 2048))
  (func (export "process") (param $ptr i32) (param $frames i32) (param $channels i32) (result i32)
    (local $i i32) (local $n i32) (local $x f32) (local $peak f32) (local $sum f64) (local $out i32)
    (local.set $n (i32.mul (local.get $frames) (local.get $channels)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (f32.abs (f32.load (i32.add (local.get $ptr) (i32.mul (local.get $i) (i32.const 4))))))
      (local.set $peak (f32.max (local.get $peak) (local.get $x)))
      (local.set $sum (f64.add (local.get $sum) (f64.mul (f64.promote_f32 (local.get $x)) (f64.promote_f32 (local.get $x)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.set $out (i32.const 2048))
    (memory.copy (local.get $out) (i32.const 1024) (i32.const 10)) (local.set $out (i32.add (local.get $out) (i32.const 10)))
    (local.set $out (i32.add (local.get $out) (call $itoa (local.get $frames) (local.get $out))))
    (memory.copy (local.get $out) (i32.const 1040) (i32.const 12)) (local.set $out (i32.add (local.get $out) (i32.const 12)))
    (local.set $out (i32.add (local.get $out) (call $itoa (i32.trunc_f32_u (f32.nearest (f32.mul (local.get $peak) (f32.const 1000000)))) (local.get $out))))
    (memory.copy (local.get $out) (i32.const 1056) (i32.const 11)) (local.set $out (i32.add (local.get $out) (i32.const 11)))
    (local.set $out (i32.add (local.get $out) (call $itoa (i32.trunc_f64_u (f64.nearest (f64.mul (f64.sqrt (f64.div (local.get $sum) (f64.convert_i32_u (local.get $n)))) (f64.const 1000000)))) (local.get $out))))
    (i32.store8 (local.get $out) (i32.const 125))
    (i32.sub (i32.add (local.get $out) (i32.const 1)) (i32.const 2048))))`);

/** A streaming function: counts bytes across calls; the final call returns {"bytes":N,"params":<params>}. */
export const COUNTER = wat(`(module ${common(64)} ${ITOA}
  (global $total (mut i32) (i32.const 0))
  (data (i32.const 1024) "{\\"bytes\\":")
  (data (i32.const 1040) ",\\"params\\":")
  (func (export "record_ptr") (result i32) (i32.const 2048))
  (func (export "count_bytes") (param $params i32) (param $paramsLen i32) (param $data i32) (param $dataLen i32) (param $final i32) (result i32)
    (local $out i32)
    (global.set $total (i32.add (global.get $total) (local.get $dataLen)))
    (if (i32.eqz (local.get $final)) (then (return (i32.const 0))))
    (local.set $out (i32.const 2048))
    (memory.copy (local.get $out) (i32.const 1024) (i32.const 9)) (local.set $out (i32.add (local.get $out) (i32.const 9)))
    (local.set $out (i32.add (local.get $out) (call $itoa (global.get $total) (local.get $out))))
    (memory.copy (local.get $out) (i32.const 1040) (i32.const 10)) (local.set $out (i32.add (local.get $out) (i32.const 10)))
    (memory.copy (local.get $out) (local.get $params) (local.get $paramsLen)) (local.set $out (i32.add (local.get $out) (local.get $paramsLen)))
    (i32.store8 (local.get $out) (i32.const 125))
    (i32.sub (i32.add (local.get $out) (i32.const 1)) (i32.const 2048))))`);

const hostile = (body: string, memory = '(memory (export "memory") 1 16)') => `(module ${memory}
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "process") (param $ptr i32) (param $frames i32) (param $channels i32) (result i32) ${body}))`;

/** Never returns. */
export const INFINITE_LOOP = wat(hostile('(loop $forever (br $forever)) (i32.const 0)'));
/** Declares a memory that may grow to 4 GiB. */
export const UNBOUNDED_MEMORY = wat(hostile('(i32.const 0)', '(memory (export "memory") 1)'));
/** Grows its (imported) memory until it cannot, then traps. */
export const MEMORY_BOMB = wat(`(module (import "env" "memory" (memory 1))
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "process") (param i32 i32 i32) (result i32)
    (loop $more (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    (unreachable)))`);
/** A table with no maximum, grown in steps of a million elements until it cannot (issue 17 item 12). */
export const TABLE_BOMB = wat(`(module (memory (export "memory") 1 16) (table $t 1 funcref)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "process") (param i32 i32 i32) (result i32)
    (loop $more (br_if $more (i32.ne (table.grow $t (ref.null func) (i32.const 1000000)) (i32.const -1))))
    (i32.const 0)))`);
/** A table whose declared maximum is far past the sandbox's limit. */
export const HUGE_TABLE = wat(hostile('(i32.const 0)', '(memory (export "memory") 1 16) (table 1 100000000 funcref)'));
/** A table with a small maximum, grown until it is full: table.grow then fails with -1, which the module handles. */
export const BOUNDED_TABLE = wat(`(module (memory (export "memory") 1 16) (table $t 1 1000 funcref)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "process") (param i32 i32 i32) (result i32)
    (loop $more (br_if $more (i32.ne (table.grow $t (ref.null func) (i32.const 100)) (i32.const -1))))
    (i32.const 0)))`);
/** Reads far outside its memory. */
export const OUT_OF_BOUNDS = wat(hostile('(drop (i32.load (i32.const 0x7ffffff0))) (i32.const 0)'));
/** Imports WASI's fd_write, which the sandbox never grants. */
export const WANTS_WASI = wat(`(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "process") (param i32 i32 i32) (result i32) (i32.const 0)))`);
/** Imports the clock, granted only on request. */
export const WANTS_CLOCK = wat(`(module (import "sluice" "now" (func $now (result f64)))
  (memory (export "memory") 1 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "process") (param i32 i32 i32) (result i32) (drop (call $now)) (i32.const 0)))`);
