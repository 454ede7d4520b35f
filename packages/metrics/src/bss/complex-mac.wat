;; Complex multiply-accumulate over split re/im float64 arrays, two bins per step in f64x2 lanes: the inner loop
;; of BSS-Eval's cross-spectra sums (out += x·conj(y), for the correlations) and of its window projections
;; (out += x·y, a filter's spectrum times a window's). The scalar loop in spectrum-arena.ts does the same sums in
;; the same order, so both give the same bits; it also does the odd last bin.
;;
;; Source of complex-mac-bytes.ts: `pnpm --filter @sluice/metrics build:wasm` regenerates it, and a test checks
;; that the two agree. The memory is the caller's (SpectrumArena), so the arrays never have to be copied in.
(module
  (import "arena" "memory" (memory 1))
  ;; mac(outRe, outIm, xRe, xIm, yRe, yIm, n, conjugate): byte offsets of f64 arrays; n bins, a multiple of 2.
  (func (export "mac")
    (param $or i32) (param $oi i32) (param $xr i32) (param $xi i32) (param $yr i32) (param $yi i32)
    (param $n i32) (param $conjugate i32)
    (local $i i32) (local $end i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (if (local.get $conjugate)
      (then
        ;; re += xr·yr + xi·yi, im += xi·yr − xr·yi
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $a (v128.load (i32.add (local.get $xr) (local.get $i))))
            (local.set $b (v128.load (i32.add (local.get $xi) (local.get $i))))
            (local.set $c (v128.load (i32.add (local.get $yr) (local.get $i))))
            (local.set $d (v128.load (i32.add (local.get $yi) (local.get $i))))
            (v128.store (i32.add (local.get $or) (local.get $i))
              (f64x2.add
                (f64x2.add (v128.load (i32.add (local.get $or) (local.get $i))) (f64x2.mul (local.get $a) (local.get $c)))
                (f64x2.mul (local.get $b) (local.get $d))))
            (v128.store (i32.add (local.get $oi) (local.get $i))
              (f64x2.sub
                (f64x2.add (v128.load (i32.add (local.get $oi) (local.get $i))) (f64x2.mul (local.get $b) (local.get $c)))
                (f64x2.mul (local.get $a) (local.get $d))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $next))))
      (else
        ;; re += xr·yr − xi·yi, im += xr·yi + xi·yr
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $a (v128.load (i32.add (local.get $xr) (local.get $i))))
            (local.set $b (v128.load (i32.add (local.get $xi) (local.get $i))))
            (local.set $c (v128.load (i32.add (local.get $yr) (local.get $i))))
            (local.set $d (v128.load (i32.add (local.get $yi) (local.get $i))))
            (v128.store (i32.add (local.get $or) (local.get $i))
              (f64x2.sub
                (f64x2.add (v128.load (i32.add (local.get $or) (local.get $i))) (f64x2.mul (local.get $a) (local.get $c)))
                (f64x2.mul (local.get $b) (local.get $d))))
            (v128.store (i32.add (local.get $oi) (local.get $i))
              (f64x2.add
                (f64x2.add (v128.load (i32.add (local.get $oi) (local.get $i))) (f64x2.mul (local.get $a) (local.get $d)))
                (f64x2.mul (local.get $b) (local.get $c))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $next))))))
)
