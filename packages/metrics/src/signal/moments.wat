;; The five sums of a channel pair (Σa, Σb, Σa², Σb², Σab) over float32 samples, accumulated in float64 with
;; SIMD: each 8 samples of a and b are widened two by two (f64x2.promote_low_f32x4 on a 64-bit load) and added
;; into five f64x2 accumulators. This is the SI-SDR/SDR/SNR hot loop; moments-wasm.ts copies the samples into
;; this module's memory in blocks that stay in cache, so the one pass over main memory is the copy.
;;
;; Source of moments-bytes.ts: `pnpm --filter @sluice/metrics build:wasm` regenerates it, and a test checks that the
;; two agree.
(module
  ;; 4 pages: two blocks of 16,384 samples (64 KiB each) and the five results.
  (memory (export "memory") 4)
  ;; moments(a, b, n, out): n a multiple of 8; writes Σa, Σb, Σa², Σb², Σab as five f64 at out.
  (func (export "moments") (param $a i32) (param $b i32) (param $n i32) (param $out i32)
    (local $end i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $sa v128) (local $sb v128) (local $aa v128) (local $bb v128) (local $ab v128)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $x0 (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $a))))
        (local.set $x1 (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $a))))
        (local.set $x2 (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $a))))
        (local.set $x3 (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $a))))
        (local.set $y0 (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $b))))
        (local.set $y1 (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $b))))
        (local.set $y2 (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $b))))
        (local.set $y3 (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $b))))
        (local.set $sa (f64x2.add (local.get $sa)
          (f64x2.add (f64x2.add (local.get $x0) (local.get $x1)) (f64x2.add (local.get $x2) (local.get $x3)))))
        (local.set $sb (f64x2.add (local.get $sb)
          (f64x2.add (f64x2.add (local.get $y0) (local.get $y1)) (f64x2.add (local.get $y2) (local.get $y3)))))
        (local.set $aa (f64x2.add (local.get $aa)
          (f64x2.add
            (f64x2.add (f64x2.mul (local.get $x0) (local.get $x0)) (f64x2.mul (local.get $x1) (local.get $x1)))
            (f64x2.add (f64x2.mul (local.get $x2) (local.get $x2)) (f64x2.mul (local.get $x3) (local.get $x3))))))
        (local.set $bb (f64x2.add (local.get $bb)
          (f64x2.add
            (f64x2.add (f64x2.mul (local.get $y0) (local.get $y0)) (f64x2.mul (local.get $y1) (local.get $y1)))
            (f64x2.add (f64x2.mul (local.get $y2) (local.get $y2)) (f64x2.mul (local.get $y3) (local.get $y3))))))
        (local.set $ab (f64x2.add (local.get $ab)
          (f64x2.add
            (f64x2.add (f64x2.mul (local.get $x0) (local.get $y0)) (f64x2.mul (local.get $x1) (local.get $y1)))
            (f64x2.add (f64x2.mul (local.get $x2) (local.get $y2)) (f64x2.mul (local.get $x3) (local.get $y3))))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $next)))
    (f64.store offset=0 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $sa)) (f64x2.extract_lane 1 (local.get $sa))))
    (f64.store offset=8 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $sb)) (f64x2.extract_lane 1 (local.get $sb))))
    (f64.store offset=16 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $aa)) (f64x2.extract_lane 1 (local.get $aa))))
    (f64.store offset=24 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $bb)) (f64x2.extract_lane 1 (local.get $bb))))
    (f64.store offset=32 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $ab)) (f64x2.extract_lane 1 (local.get $ab))))))
