;; SIMD through the shared sequences.
(module
  (memory 1)
  (func $add (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func $load_add_store (param i32)
    (v128.store (local.get 0) (f32x4.mul (v128.load (local.get 0)) (v128.load offset=16 (local.get 0)))))
  (func $shuffle (param v128 v128) (result v128)
    (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get 0) (local.get 1)))
  (func $splat_extract (param i32) (result i32) (i32x4.extract_lane 2 (i32x4.splat (local.get 0))))
  (func $shift (param v128 i32) (result v128) (i16x8.shl (local.get 0) (local.get 1)))
  (func $min (param v128 v128) (result v128) (f64x2.min (local.get 0) (local.get 1))))
