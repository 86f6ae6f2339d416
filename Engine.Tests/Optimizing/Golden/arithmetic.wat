;; Integer arithmetic: constants as immediates, x + c as lea, multiplication by a power of two as a shift,
;; constant folding and reassociation.
(module
  (func $add_const (param i32) (result i32) (i32.add (local.get 0) (i32.const 42)))
  (func $add_twice (param i32) (result i32) (i32.add (i32.add (local.get 0) (i32.const 40)) (i32.const 2)))
  (func $sub_const (param i64) (result i64) (i64.sub (local.get 0) (i64.const 7)))
  (func $mul_pow2 (param i32) (result i32) (i32.mul (local.get 0) (i32.const 8)))
  (func $mul_const (param i32) (result i32) (i32.mul (local.get 0) (i32.const 10)))
  (func $fold (result i32) (i32.mul (i32.add (i32.const 3) (i32.const 4)) (i32.const 6)))
  (func $three_ops (param i32 i32 i32) (result i32)
    (i32.xor (i32.and (local.get 0) (local.get 1)) (i32.or (local.get 1) (local.get 2))))
  (func $shift_var (param i64 i64) (result i64) (i64.shl (local.get 0) (local.get 1)))
  (func $rotr (param i32) (result i32) (i32.rotr (local.get 0) (i32.const 3)))
  (func $div_s (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $rem_u_pow2 (param i32) (result i32) (i32.rem_u (local.get 0) (i32.const 16)))
  (func $extend (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
  (func $wrap_of_extend (param i32) (result i32) (i32.wrap_i64 (i64.extend_i32_u (local.get 0))))
  ;; lea folding: base + index * 4 (+ 8), and an i64 one with the shift on the left.
  (func $scaled_index (param i32 i32) (result i32)
    (i32.add (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))) (i32.const 8)))
  (func $scaled_index64 (param i64 i64) (result i64)
    (i64.add (i64.shl (local.get 1) (i64.const 3)) (local.get 0))))
