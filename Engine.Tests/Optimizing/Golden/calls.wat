;; Calls through the outgoing area: values live across a call in callee-saved registers, call_indirect's checks,
;; builtins, references rooted and listed in stack maps.
(module
  (type $binary (func (param i32 i32) (result i32)))
  (table 2 funcref)
  (table $refs 2 externref)
  (func $callee (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $call_twice (param i32) (result i32)
    (i32.add (call $callee (local.get 0) (i32.const 1)) (call $callee (local.get 0) (i32.const 2))))
  (func $indirect (param i32 i32) (result i32)
    (call_indirect (type $binary) (local.get 0) (local.get 1) (local.get 1)))
  (func $ref_across_call (param externref) (result externref)
    (drop (call $callee (i32.const 1) (i32.const 2))) (local.get 0))
  (func $table_get (param i32) (result externref) (table.get $refs (local.get 0)))
  (func $fill (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (memory 1))
