;; The float64 reference's conv (src/sim/float-ops.ts `conv2d`), two float64 lanes at a time
;; (WebAssembly SIMD): the same sums in the same order as the JavaScript loop, each lane one output
;; channel, each product and each sum rounded once as there (f64x2.mul, then f64x2.add; no fused
;; multiply-add), so the results are the same to the bit. Inputs that are 0 are left out as there.
;; Every address is a byte offset into the memory the caller provides.
;; Compiled by scripts/gen-wasm.ts into conv-f64-wasm.ts.
(module
  (import "env" "memory" (memory 1))

  ;; out[0 .. n) += xv · k[0 .. n)
  (func $row (param $out i32) (param $k i32) (param $n i32) (param $xv f64)
    (local $end2 i32) (local $end i32) (local $xv2 v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $end2 (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (local.set $xv2 (f64x2.splat (local.get $xv)))
    (block $done (loop $lanes
      (br_if $done (i32.ge_u (local.get $out) (local.get $end2)))
      (v128.store (local.get $out)
        (f64x2.add (v128.load (local.get $out)) (f64x2.mul (local.get $xv2) (v128.load (local.get $k)))))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $lanes)))
    (if (i32.lt_u (local.get $out) (local.get $end))
      (then
        (f64.store (local.get $out)
          (f64.add (f64.load (local.get $out)) (f64.mul (local.get $xv) (f64.load (local.get $k))))))))

  ;; The geometry block $g holds, as int32 words: H, W, C, OH, OW, CO, KH, KW, KI, sh, sw, dh, dw,
  ;; pt, pl, coPerG, hasBias. Per output pixel: its sums start at the bias (or 0), then every kernel
  ;; tap inside the input adds, channel by channel, the kernel row of each nonzero input.
  (func (export "conv") (param $g i32) (param $x i32) (param $out i32) (param $K i32) (param $bias i32)
    (local $H i32) (local $W i32) (local $C i32) (local $OH i32) (local $OW i32) (local $CO i32)
    (local $KH i32) (local $KW i32) (local $KI i32) (local $sh i32) (local $sw i32) (local $dh i32)
    (local $dw i32) (local $pt i32) (local $pl i32) (local $cpg i32) (local $hasBias i32)
    (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $iy i32) (local $ix i32)
    (local $ob i32) (local $ib i32) (local $kb i32) (local $ci i32) (local $gr i32) (local $co0 i32)
    (local $xv f64) (local $o i32) (local $oEnd i32) (local $b i32)
    (local.set $H (i32.load offset=0 (local.get $g)))
    (local.set $W (i32.load offset=4 (local.get $g)))
    (local.set $C (i32.load offset=8 (local.get $g)))
    (local.set $OH (i32.load offset=12 (local.get $g)))
    (local.set $OW (i32.load offset=16 (local.get $g)))
    (local.set $CO (i32.load offset=20 (local.get $g)))
    (local.set $KH (i32.load offset=24 (local.get $g)))
    (local.set $KW (i32.load offset=28 (local.get $g)))
    (local.set $KI (i32.load offset=32 (local.get $g)))
    (local.set $sh (i32.load offset=36 (local.get $g)))
    (local.set $sw (i32.load offset=40 (local.get $g)))
    (local.set $dh (i32.load offset=44 (local.get $g)))
    (local.set $dw (i32.load offset=48 (local.get $g)))
    (local.set $pt (i32.load offset=52 (local.get $g)))
    (local.set $pl (i32.load offset=56 (local.get $g)))
    (local.set $cpg (i32.load offset=60 (local.get $g)))
    (local.set $hasBias (i32.load offset=64 (local.get $g)))
    (block $oyDone (loop $oyLoop
      (br_if $oyDone (i32.ge_u (local.get $oy) (local.get $OH)))
      (local.set $ox (i32.const 0))
      (block $oxDone (loop $oxLoop
        (br_if $oxDone (i32.ge_u (local.get $ox) (local.get $OW)))
        (local.set $ob (i32.mul (local.get $CO) (i32.add (i32.mul (local.get $oy) (local.get $OW)) (local.get $ox))))
        ;; the pixel's sums start at the bias, or at +0
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $ob) (i32.const 3))))
        (local.set $oEnd (i32.add (local.get $o) (i32.shl (local.get $CO) (i32.const 3))))
        (local.set $b (local.get $bias))
        (block $initDone (loop $init
          (br_if $initDone (i32.ge_u (local.get $o) (local.get $oEnd)))
          (f64.store (local.get $o) (select (f64.load (local.get $b)) (f64.const 0) (local.get $hasBias)))
          (local.set $o (i32.add (local.get $o) (i32.const 8)))
          (local.set $b (i32.add (local.get $b) (i32.const 8)))
          (br $init)))
        (local.set $ky (i32.const 0))
        (block $kyDone (loop $kyLoop
          (br_if $kyDone (i32.ge_u (local.get $ky) (local.get $KH)))
          (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (i32.mul (local.get $ky) (local.get $dh)))
            (local.get $pt)))
          ;; 0 <= iy < H, as one unsigned comparison
          (if (i32.lt_u (local.get $iy) (local.get $H))
            (then
              (local.set $kx (i32.const 0))
              (block $kxDone (loop $kxLoop
                (br_if $kxDone (i32.ge_u (local.get $kx) (local.get $KW)))
                (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $sw)) (i32.mul (local.get $kx) (local.get $dw)))
                  (local.get $pl)))
                (if (i32.lt_u (local.get $ix) (local.get $W))
                  (then
                    (local.set $ib (i32.mul (local.get $C) (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix))))
                    (local.set $kb (i32.mul (i32.mul (local.get $KI) (local.get $CO))
                      (i32.add (i32.mul (local.get $ky) (local.get $KW)) (local.get $kx))))
                    (local.set $ci (i32.const 0))
                    (block $ciDone (loop $ciLoop
                      (br_if $ciDone (i32.ge_u (local.get $ci) (local.get $C)))
                      (local.set $xv (f64.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $ib) (local.get $ci)) (i32.const 3)))))
                      (if (f64.ne (local.get $xv) (f64.const 0))
                        (then
                          (local.set $gr (i32.div_u (local.get $ci) (local.get $KI)))
                          (local.set $co0 (i32.mul (local.get $gr) (local.get $cpg)))
                          (call $row
                            (i32.add (local.get $out) (i32.shl (i32.add (local.get $ob) (local.get $co0)) (i32.const 3)))
                            (i32.add (local.get $K) (i32.shl
                              (i32.add (local.get $co0) (i32.add (local.get $kb)
                                (i32.mul (local.get $CO) (i32.sub (local.get $ci) (i32.mul (local.get $gr) (local.get $KI))))))
                              (i32.const 3)))
                            (local.get $cpg)
                            (local.get $xv))))
                      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                      (br $ciLoop)))))
                (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                (br $kxLoop)))))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $kyLoop)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $oxLoop)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $oyLoop))))
)
