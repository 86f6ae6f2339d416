;; Floats: arithmetic with operands in xmm registers, wasm's min/max, conversions and compares through the
;; shared sequences.
(module
  (func $madd (param f64 f64 f64) (result f64) (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func $min (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
  (func $abs (param f64) (result f64) (f64.abs (local.get 0)))
  (func $trunc (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func $trunc_sat_u64 (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
  (func $convert (param i64) (result f64) (f64.convert_i64_u (local.get 0)))
  (func $less (param f64 f64) (result i32) (f64.lt (local.get 0) (local.get 1)))
  (func $eq_branch (param f32 f32) (result i32)
    (if (result i32) (f32.eq (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))
  (func $fold (result f64) (f64.mul (f64.const 1.5) (f64.const 4))))
