;; Linear memory: bounds checks (one per base when a dominating check covers later ones), constant addresses,
;; store-to-load forwarding, loads of memory.size and globals hoisted out of loops.
(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $load (param i32) (result i32) (i32.load offset=8 (local.get 0)))
  (func $two_loads_same_check (param i32) (result i32)
    (i32.add (i32.load offset=4 (local.get 0)) (i32.load (local.get 0))))
  (func $constant_address (result i64) (i64.load (i32.const 1024)))
  (func $store_then_load (param i32 i32) (result i32)
    (i32.store (local.get 0) (local.get 1)) (i32.load (local.get 0)))
  (func $narrow (param i32) (result i32) (i32.add (i32.load8_s (local.get 0)) (i32.load16_u offset=2 (local.get 0))))
  (func $store_byte (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func $sum (param $p i32) (param $n i32) (result i32) (local $s i32)
    (block $exit
      (loop $top
        (br_if $exit (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $top)))
    (local.get $s))
  (func $invariants (param $n i32) (result i32) (local $s i32)
    (loop $top
      (local.set $s (i32.add (local.get $s) (i32.mul (global.get $g) (memory.size))))
      (br_if $top (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func $global_rw (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g))
  (func $grow (param i32) (result i32) (memory.grow (local.get 0))))
