;; Compiled with fuel and epoch checks and on-stack-replacement entries (see the test's options for this file):
;; checks at the entry and the loop header, an OSR entry reading the state area.
(module
  (func $loop (param $n i32) (result i32) (local $s i32)
    (loop $top
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (br_if $top (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s)))
