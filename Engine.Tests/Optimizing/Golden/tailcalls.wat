;; Tail calls (3.0). From a register frame: arguments moved to the convention's registers, then a jump to the
;; callee's register entry when it has one (this instance's, through a table), else the call left to the caller
;; (status 2) from out of line; return_call_ref loads them from the outgoing area. From a native frame (a type
;; outside the convention): the arguments to our own argument area and a jump to the callee's native entry.
(module
  (type $pair (func (param i32 i64) (result i64)))
  (type $wide (func (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "host" "h" (func $host (param i32 i64) (result i64)))
  (table funcref (elem $swap $count))
  (elem declare func $swap)
  (func $swap (type $pair) (return_call $count (local.get 0) (local.get 1)))
  (func $count (type $pair)
    (if (i32.eqz (local.get 0)) (then (return (local.get 1))))
    (return_call_indirect (type $pair) (i32.sub (local.get 0) (i32.const 1)) (i64.add (local.get 1) (i64.const 1))
      (i32.and (local.get 0) (i32.const 1))))
  (func $to_host (type $pair) (return_call $host (local.get 0) (local.get 1)))
  (func $by_ref (type $pair) (return_call_ref $pair (local.get 0) (local.get 1) (ref.func $swap)))
  (func $native (type $wide)
    (return_call $wide_callee (local.get 6) (local.get 5) (local.get 4) (local.get 3) (local.get 2) (local.get 1) (local.get 0)))
  (func $wide_callee (type $wide) (local.get 0)))
