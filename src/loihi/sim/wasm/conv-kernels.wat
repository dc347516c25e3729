;; The conv synapses of both integer engines, four int32 lanes at a time (WebAssembly SIMD).
;; Each function adds into an int32 sum per target: products and sums wrap modulo 2^32, which
;; keeps every sum exact modulo 2^24, all that the 24-bit wrap of a conv's sum looks at.
;; Every address is a byte offset into the memory the caller provides; every array is int32 but
;; a kernel, which is int16 (each weight sign-extended as it is read) or int32, as its synapse's
;; geometry block says (the log2 of its weights' bytes: 1 or 2).
;; Compiled by scripts/gen-wasm.ts into conv-kernels-wasm.ts.
(module
  (import "env" "memory" (memory 1))

  ;; acc[0 .. n) += p · k[0 .. n) (k: int16): a binary spike (p = 1) adds the row as it is.
  (func $row16 (param $acc i32) (param $k i32) (param $n i32) (param $p i32)
    (local $end4 i32) (local $end i32) (local $pv v128)
    (local.set $end (i32.add (local.get $acc) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $acc) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (if (i32.eq (local.get $p) (i32.const 1))
      (then
        (block $done (loop $lanes
          (br_if $done (i32.ge_u (local.get $acc) (local.get $end4)))
          (v128.store (local.get $acc)
            (i32x4.add (v128.load (local.get $acc)) (v128.load16x4_s (local.get $k))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 8)))
          (br $lanes)))
        (block $done (loop $tail
          (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
          (i32.store (local.get $acc) (i32.add (i32.load (local.get $acc)) (i32.load16_s (local.get $k))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 2)))
          (br $tail))))
      (else
        (local.set $pv (i32x4.splat (local.get $p)))
        (block $done (loop $lanes
          (br_if $done (i32.ge_u (local.get $acc) (local.get $end4)))
          (v128.store (local.get $acc)
            (i32x4.add (v128.load (local.get $acc)) (i32x4.mul (local.get $pv) (v128.load16x4_s (local.get $k)))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 8)))
          (br $lanes)))
        (block $done (loop $tail
          (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
          (i32.store (local.get $acc)
            (i32.add (i32.load (local.get $acc)) (i32.mul (local.get $p) (i32.load16_s (local.get $k)))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 2)))
          (br $tail))))))

  ;; acc[0 .. n) += p · k[0 .. n) (k: int32): a binary spike (p = 1) adds the row as it is.
  (func $row32 (param $acc i32) (param $k i32) (param $n i32) (param $p i32)
    (local $end4 i32) (local $end i32) (local $pv v128)
    (local.set $end (i32.add (local.get $acc) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $acc) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (if (i32.eq (local.get $p) (i32.const 1))
      (then
        (block $done (loop $lanes
          (br_if $done (i32.ge_u (local.get $acc) (local.get $end4)))
          (v128.store (local.get $acc)
            (i32x4.add (v128.load (local.get $acc)) (v128.load (local.get $k))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $lanes)))
        (block $done (loop $tail
          (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
          (i32.store (local.get $acc) (i32.add (i32.load (local.get $acc)) (i32.load (local.get $k))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $tail))))
      (else
        (local.set $pv (i32x4.splat (local.get $p)))
        (block $done (loop $lanes
          (br_if $done (i32.ge_u (local.get $acc) (local.get $end4)))
          (v128.store (local.get $acc)
            (i32x4.add (v128.load (local.get $acc)) (i32x4.mul (local.get $pv) (v128.load (local.get $k)))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $lanes)))
        (block $done (loop $tail
          (br_if $done (i32.ge_u (local.get $acc) (local.get $end)))
          (i32.store (local.get $acc)
            (i32.add (i32.load (local.get $acc)) (i32.mul (local.get $p) (i32.load (local.get $k)))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $tail))))))

  ;; The row of a kernel whose weights take 2^ks bytes.
  (func $row (param $acc i32) (param $k i32) (param $n i32) (param $p i32) (param $ks i32)
    (if (i32.eq (local.get $ks) (i32.const 1))
      (then (call $row16 (local.get $acc) (local.get $k) (local.get $n) (local.get $p)))
      (else (call $row32 (local.get $acc) (local.get $k) (local.get $n) (local.get $p)))))

  ;; The event-driven form. Events idx[0 .. count), payloads val[..), in neuron order (so the
  ;; channels of one input pixel are consecutive); the geometry block $g holds, as int32 words:
  ;; C, W, CO, KI, coPerG, then the addresses of the axis tables yStart, yRow (output row · OW),
  ;; yTap (kernel row · KW), xStart, xOut, xTap, then ks (log2 of the kernel's bytes per weight). Each window of a pixel is visited once for all
  ;; the pixel's events, each event adding its kernel slice to that window's outputs of its group.
  (func (export "convScatter") (param $g i32) (param $idx i32) (param $val i32) (param $count i32)
    (param $acc i32) (param $K i32)
    (local $C i32) (local $W i32) (local $CO i32) (local $KI i32) (local $cpg i32)
    (local $yS i32) (local $yR i32) (local $yT i32) (local $xS i32) (local $xO i32) (local $xT i32)
    (local $e i32) (local $end i32) (local $pix i32) (local $c0 i32) (local $lim i32)
    (local $iy i32) (local $ix i32) (local $a i32) (local $y1 i32) (local $b i32) (local $x0 i32)
    (local $x1 i32) (local $rowO i32) (local $rowK i32) (local $ob i32) (local $tb i32)
    (local $q i32) (local $ci i32) (local $gr i32) (local $co0 i32) (local $ks i32)
    (local.set $C (i32.load offset=0 (local.get $g)))
    (local.set $ks (i32.load offset=44 (local.get $g)))
    (local.set $W (i32.load offset=4 (local.get $g)))
    (local.set $CO (i32.load offset=8 (local.get $g)))
    (local.set $KI (i32.load offset=12 (local.get $g)))
    (local.set $cpg (i32.load offset=16 (local.get $g)))
    (local.set $yS (i32.load offset=20 (local.get $g)))
    (local.set $yR (i32.load offset=24 (local.get $g)))
    (local.set $yT (i32.load offset=28 (local.get $g)))
    (local.set $xS (i32.load offset=32 (local.get $g)))
    (local.set $xO (i32.load offset=36 (local.get $g)))
    (local.set $xT (i32.load offset=40 (local.get $g)))
    (block $done (loop $events
      (br_if $done (i32.ge_u (local.get $e) (local.get $count)))
      ;; the events of this pixel: [e, end)
      (local.set $pix (i32.div_u (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2))))
        (local.get $C)))
      (local.set $c0 (i32.mul (local.get $pix) (local.get $C)))
      (local.set $lim (i32.add (local.get $c0) (local.get $C)))
      (local.set $end (i32.add (local.get $e) (i32.const 1)))
      (block $last (loop $same
        (br_if $last (i32.ge_u (local.get $end) (local.get $count)))
        (br_if $last (i32.ge_u (i32.load (i32.add (local.get $idx) (i32.shl (local.get $end) (i32.const 2))))
          (local.get $lim)))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $same)))
      (local.set $iy (i32.div_u (local.get $pix) (local.get $W)))
      (local.set $ix (i32.sub (local.get $pix) (i32.mul (local.get $iy) (local.get $W))))
      (local.set $a (i32.load (i32.add (local.get $yS) (i32.shl (local.get $iy) (i32.const 2)))))
      (local.set $y1 (i32.load offset=4 (i32.add (local.get $yS) (i32.shl (local.get $iy) (i32.const 2)))))
      (local.set $x0 (i32.load (i32.add (local.get $xS) (i32.shl (local.get $ix) (i32.const 2)))))
      (local.set $x1 (i32.load offset=4 (i32.add (local.get $xS) (i32.shl (local.get $ix) (i32.const 2)))))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $a) (local.get $y1)))
        (local.set $rowO (i32.load (i32.add (local.get $yR) (i32.shl (local.get $a) (i32.const 2)))))
        (local.set $rowK (i32.load (i32.add (local.get $yT) (i32.shl (local.get $a) (i32.const 2)))))
        (local.set $b (local.get $x0))
        (block $colsDone (loop $cols
          (br_if $colsDone (i32.ge_u (local.get $b) (local.get $x1)))
          (local.set $ob (i32.mul (local.get $CO)
            (i32.add (local.get $rowO) (i32.load (i32.add (local.get $xO) (i32.shl (local.get $b) (i32.const 2)))))))
          (local.set $tb (i32.mul (local.get $KI)
            (i32.add (local.get $rowK) (i32.load (i32.add (local.get $xT) (i32.shl (local.get $b) (i32.const 2)))))))
          (local.set $q (local.get $e))
          (block $evDone (loop $ev
            (br_if $evDone (i32.ge_u (local.get $q) (local.get $end)))
            (local.set $ci (i32.sub (i32.load (i32.add (local.get $idx) (i32.shl (local.get $q) (i32.const 2))))
              (local.get $c0)))
            (local.set $gr (i32.div_u (local.get $ci) (local.get $KI)))
            (local.set $co0 (i32.mul (local.get $gr) (local.get $cpg)))
            (call $row
              (i32.add (local.get $acc) (i32.shl (i32.add (local.get $ob) (local.get $co0)) (i32.const 2)))
              (i32.add (local.get $K) (i32.shl
                (i32.add (local.get $co0) (i32.mul (local.get $CO)
                  (i32.add (local.get $tb) (i32.sub (local.get $ci) (i32.mul (local.get $gr) (local.get $KI))))))
                (local.get $ks)))
              (local.get $cpg)
              (i32.load (i32.add (local.get $val) (i32.shl (local.get $q) (i32.const 2))))
              (local.get $ks))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $ev)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $cols)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $rows)))
      (local.set $e (local.get $end))
      (br $events))))

  ;; The time-stepped form, gathered per output pixel: for each kernel tap inside the input, the
  ;; nonzero channels of the input pixel (nz[first[p] .. first[p + 1]), their values nzv[..]) each
  ;; add their kernel row over the output channels of their group. The geometry block $g holds:
  ;; H, W, OH, OW, CO, KH, KW, KI, sh, sw, dh, dw, pt, pl, coPerG, ks.
  (func (export "convGather") (param $g i32) (param $first i32) (param $nz i32) (param $nzv i32)
    (param $acc i32) (param $K i32)
    (local $H i32) (local $W i32) (local $OH i32) (local $OW i32) (local $CO i32) (local $KH i32)
    (local $KW i32) (local $KI i32) (local $sh i32) (local $sw i32) (local $dh i32) (local $dw i32)
    (local $pt i32) (local $pl i32) (local $cpg i32)
    (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $iy i32) (local $ix i32)
    (local $ob i32) (local $p i32) (local $tap i32) (local $j i32) (local $jEnd i32) (local $c i32)
    (local $gr i32) (local $co0 i32) (local $ks i32)
    (local.set $H (i32.load offset=0 (local.get $g)))
    (local.set $ks (i32.load offset=60 (local.get $g)))
    (local.set $W (i32.load offset=4 (local.get $g)))
    (local.set $OH (i32.load offset=8 (local.get $g)))
    (local.set $OW (i32.load offset=12 (local.get $g)))
    (local.set $CO (i32.load offset=16 (local.get $g)))
    (local.set $KH (i32.load offset=20 (local.get $g)))
    (local.set $KW (i32.load offset=24 (local.get $g)))
    (local.set $KI (i32.load offset=28 (local.get $g)))
    (local.set $sh (i32.load offset=32 (local.get $g)))
    (local.set $sw (i32.load offset=36 (local.get $g)))
    (local.set $dh (i32.load offset=40 (local.get $g)))
    (local.set $dw (i32.load offset=44 (local.get $g)))
    (local.set $pt (i32.load offset=48 (local.get $g)))
    (local.set $pl (i32.load offset=52 (local.get $g)))
    (local.set $cpg (i32.load offset=56 (local.get $g)))
    (block $oyDone (loop $oyLoop
      (br_if $oyDone (i32.ge_u (local.get $oy) (local.get $OH)))
      (local.set $ox (i32.const 0))
      (block $oxDone (loop $oxLoop
        (br_if $oxDone (i32.ge_u (local.get $ox) (local.get $OW)))
        (local.set $ob (i32.mul (local.get $CO) (i32.add (i32.mul (local.get $oy) (local.get $OW)) (local.get $ox))))
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
                    (local.set $p (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)))
                    (local.set $tap (i32.mul (local.get $KI) (i32.add (i32.mul (local.get $ky) (local.get $KW)) (local.get $kx))))
                    (local.set $j (i32.load (i32.add (local.get $first) (i32.shl (local.get $p) (i32.const 2)))))
                    (local.set $jEnd (i32.load offset=4 (i32.add (local.get $first) (i32.shl (local.get $p) (i32.const 2)))))
                    (block $jDone (loop $jLoop
                      (br_if $jDone (i32.ge_u (local.get $j) (local.get $jEnd)))
                      (local.set $c (i32.load (i32.add (local.get $nz) (i32.shl (local.get $j) (i32.const 2)))))
                      (local.set $gr (i32.div_u (local.get $c) (local.get $KI)))
                      (local.set $co0 (i32.mul (local.get $gr) (local.get $cpg)))
                      (call $row
                        (i32.add (local.get $acc) (i32.shl (i32.add (local.get $ob) (local.get $co0)) (i32.const 2)))
                        (i32.add (local.get $K) (i32.shl
                          (i32.add (local.get $co0) (i32.mul (local.get $CO)
                            (i32.add (local.get $tap) (i32.sub (local.get $c) (i32.mul (local.get $gr) (local.get $KI))))))
                          (local.get $ks)))
                        (local.get $cpg)
                        (i32.load (i32.add (local.get $nzv) (i32.shl (local.get $j) (i32.const 2))))
                        (local.get $ks))
                      (local.set $j (i32.add (local.get $j) (i32.const 1)))
                      (br $jLoop)))))
                (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                (br $kxLoop)))))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $kyLoop)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $oxLoop)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $oyLoop))))
)
