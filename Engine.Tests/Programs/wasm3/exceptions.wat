;; exceptions.wat: a hand translation of exceptions.cpp (next to it: read that first) into WebAssembly 3.0 exception
;; handling. Each function below is the C++ function of the same name; the comment at the top of exceptions.cpp says
;; how try/catch, `throw;`, destructors during unwinding and std::exception_ptr map onto try_table, throw, throw_ref
;; and exnref. A WASI command (output through fd_write) with one more import, host.call(job, arg): the host calls the
;; export run_job(job, arg) back, so exceptions unwind through host frames. Build: see build.sh.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "host" "call" (func $host_call (param i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; The exception classes: a tag per class, its parameters the class's fields.
  (tag $parse_error (param i32 i32)) ;; ParseError { pos, code }
  (tag $div_by_zero (param i64))      ;; DivByZero { numerator }
  (tag $job_failed (param i32))       ;; JobFailed { job }

  (global $src (mut i32) (i32.const 0))
  (global $pos (mut i32) (i32.const 0))
  (global $live_guards (mut i32) (i32.const 0))
  (global $out_len (mut i32) (i32.const 0))
  ;; main's std::exception_ptr
  (global $kept (mut exnref) (ref.null exn))

  ;; Output: bytes collect at 16384 (8 KiB) and go to stdout through fd_write (iovec at 256, count written at 264).
  (func $flush
    (local $at i32) (local $left i32)
    (local.set $at (i32.const 16384))
    (local.set $left (global.get $out_len))
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $left)))
        (i32.store (i32.const 256) (local.get $at))
        (i32.store (i32.const 260) (local.get $left))
        (br_if $done (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 264)))
        (local.set $at (i32.add (local.get $at) (i32.load (i32.const 264))))
        (local.set $left (i32.sub (local.get $left) (i32.load (i32.const 264))))
        (br $more)))
    (global.set $out_len (i32.const 0)))

  (func $put_char (param $c i32)
    (if (i32.ge_u (global.get $out_len) (i32.const 8192))
      (then (call $flush)))
    (i32.store8 (i32.add (i32.const 16384) (global.get $out_len)) (local.get $c))
    (global.set $out_len (i32.add (global.get $out_len) (i32.const 1))))

  ;; say(const char*): a NUL-terminated string.
  (func $say (param $s i32)
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $s))))
        (call $put_char (i32.load8_u (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $next))))

  (func $nl (call $put_char (i32.const 10)))

  ;; say_i64: decimal, digits built backwards below 160.
  (func $say_i64 (param $v i64)
    (local $p i32) (local $u i64)
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (call $put_char (i32.const 45))
        (local.set $u (i64.sub (i64.const 0) (local.get $v))))
      (else (local.set $u (local.get $v))))
    (local.set $p (i32.const 160))
    (i32.store8 (i32.const 160) (i32.const 0))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $u) (i64.const 10))))
      (local.set $u (i64.div_u (local.get $u) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $u) (i64.const 0))))
    (call $say (local.get $p)))

  ;; Guard's constructor and destructor.
  (func $guard_enter
    (global.set $live_guards (i32.add (global.get $live_guards) (i32.const 1))))
  (func $guard_exit (param $name i32)
    (global.set $live_guards (i32.sub (global.get $live_guards) (i32.const 1)))
    (call $say (i32.const 1107 (;S_guard;)))
    (call $say (local.get $name))
    (call $nl))

  (func $peek (result i32)
    (i32.load8_u (i32.add (global.get $src) (global.get $pos))))
  (func $advance
    (global.set $pos (i32.add (global.get $pos) (i32.const 1))))

  (func $primary (result i64)
    (local $c i32) (local $v i64)
    (local.set $c (call $peek))
    (if (i32.eq (local.get $c) (i32.const 40)) ;; '('
      (then
        (call $guard_enter) ;; Guard g("paren")
        (block $unwinding (result exnref)
          (try_table (result i64) (catch_all_ref $unwinding)
            (call $advance)
            (local.set $v (call $expr))
            (if (i32.ne (call $peek) (i32.const 41)) ;; ')'
              (then (throw $parse_error (global.get $pos) (i32.const 2))))
            (call $advance)
            (local.get $v))
          ;; the scope ends normally: ~Guard, then return v
          (call $guard_exit (i32.const 1117 (;S_paren;)))
          (return))
        ;; unwinding: ~Guard, then the exception goes on
        (call $guard_exit (i32.const 1117 (;S_paren;)))
        (throw_ref)))
    (if (i32.eq (local.get $c) (i32.const 45)) ;; '-'
      (then
        (call $advance)
        (return (i64.sub (i64.const 0) (call $primary)))))
    (if (i32.or (i32.lt_u (local.get $c) (i32.const 48)) (i32.gt_u (local.get $c) (i32.const 57)))
      (then (throw $parse_error (global.get $pos) (i32.const 1))))
    (block $end
      (loop $digits
        (local.set $c (call $peek))
        (br_if $end (i32.or (i32.lt_u (local.get $c) (i32.const 48)) (i32.gt_u (local.get $c) (i32.const 57))))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10))
                               (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
        (call $advance)
        (br $digits)))
    (local.get $v))

  (func $term (result i64)
    (local $v i64) (local $d i64) (local $c i32)
    (local.set $v (call $primary))
    (loop $more
      (local.set $c (call $peek))
      (if (i32.eq (local.get $c) (i32.const 42)) ;; '*'
        (then
          (call $advance)
          (local.set $v (i64.mul (local.get $v) (call $primary)))
          (br $more)))
      (if (i32.eq (local.get $c) (i32.const 47)) ;; '/'
        (then
          (call $advance)
          (local.set $d (call $primary))
          (if (i64.eqz (local.get $d))
            (then (throw $div_by_zero (local.get $v))))
          (local.set $v (i64.div_s (local.get $v) (local.get $d)))
          (br $more))))
    (local.get $v))

  (func $expr (result i64)
    (local $v i64) (local $c i32)
    (local.set $v (call $term))
    (loop $more
      (local.set $c (call $peek))
      (if (i32.eq (local.get $c) (i32.const 43)) ;; '+'
        (then
          (call $advance)
          (local.set $v (i64.add (local.get $v) (call $term)))
          (br $more)))
      (if (i32.eq (local.get $c) (i32.const 45)) ;; '-'
        (then
          (call $advance)
          (local.set $v (i64.sub (local.get $v) (call $term)))
          (br $more))))
    (local.get $v))

  (func $parse (param $s i32) (result i64)
    (local $v i64)
    (global.set $src (local.get $s))
    (global.set $pos (i32.const 0))
    (local.set $v (call $expr))
    (if (call $peek)
      (then (throw $parse_error (global.get $pos) (i32.const 3))))
    (local.get $v))

  ;; try { ... } catch (const ParseError& e) { ... }: a division by zero goes on to the caller.
  (func $evaluate (param $s i32) (result i64)
    (local $v i64) (local $code i32) (local $at i32)
    (call $say (i32.const 1024 (;S_eval;)))
    (call $say (local.get $s))
    (call $nl)
    (block $catch_parse_error (result i32 i32)
      (try_table (catch $parse_error $catch_parse_error)
        (local.set $v (call $parse (local.get $s)))
        (call $say (i32.const 1030 (;S_eq;)))
        (call $say_i64 (local.get $v))
        (call $nl))
      (return (local.get $v)))
    (local.set $code)
    (local.set $at)
    (call $say (i32.const 1035 (;S_parse_error;)))
    (call $say_i64 (i64.extend_i32_s (local.get $code)))
    (call $say (i32.const 1050 (;S_at;)))
    (call $say_i64 (i64.extend_i32_s (local.get $at)))
    (call $nl)
    (i64.const -1))

  ;; A Guard for the whole function, a handler per iteration that rethrows (`throw;`) the second DivByZero.
  (func $run_batch (param $exprs i32) (param $n i32) (result i64)
    (local $total i64) (local $failures i32) (local $i i32) (local $e exnref)
    (call $guard_enter) ;; Guard g("batch")
    (block $unwinding (result exnref)
      (try_table (catch_all_ref $unwinding)
        (block $done
          (loop $next
            (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
            (block $handled
              (block $catch_div_by_zero (result i64 exnref)
                (try_table (catch_ref $div_by_zero $catch_div_by_zero)
                  (local.set $total
                    (i64.add (local.get $total)
                      (call $evaluate (i32.load (i32.add (local.get $exprs) (i32.shl (local.get $i) (i32.const 2))))))))
                (br $handled))
              ;; catch (const DivByZero& e): e.numerator and the exception itself (for `throw;`)
              (local.set $e)
              (call $say (i32.const 1055 (;S_div;)))
              (call $say_i64)
              (call $nl)
              (local.set $failures (i32.add (local.get $failures) (i32.const 1)))
              (if (i32.eq (local.get $failures) (i32.const 2))
                (then
                  (call $say (i32.const 1078 (;S_second;)))
                  (call $nl)
                  (throw_ref (local.get $e)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next))))
      (call $guard_exit (i32.const 1123 (;S_batch;)))
      (return (local.get $total)))
    (call $guard_exit (i32.const 1123 (;S_batch;)))
    (throw_ref))

  ;; Throws a JobFailed from inside the ParseError handler.
  (func $strict_evaluate (param $s i32) (result i64)
    (local $code i32)
    (block $catch_parse_error (result i32 i32)
      (return
        (try_table (result i64) (catch $parse_error $catch_parse_error)
          (call $parse (local.get $s)))))
    (local.set $code)
    (drop)
    (throw $job_failed (i32.add (i32.const 1000) (local.get $code))))

  ;; What the host calls back; job 2 calls the host again, which calls job 1, which throws.
  (func $run_job (export "run_job") (param $job i32) (param $arg i32) (result i32)
    (local $r i32)
    (call $guard_enter) ;; Guard g("job")
    (block $unwinding (result exnref)
      (local.set $r
        (try_table (result i32) (catch_all_ref $unwinding)
          (if (result i32) (i32.eqz (local.get $job))
            (then (i32.mul (local.get $arg) (i32.const 2)))
            (else
              (if (result i32) (i32.eq (local.get $job) (i32.const 1))
                (then (throw $job_failed (local.get $arg)))
                (else
                  (if (result i32) (i32.eq (local.get $job) (i32.const 2))
                    (then (i32.add (call $host_call (i32.const 1) (i32.add (local.get $arg) (i32.const 1))) (i32.const 1)))
                    (else (i32.wrap_i64 (call $strict_evaluate (i32.const 1345 (;E_open;))))))))))))
      (call $guard_exit (i32.const 1129 (;S_job_name;)))
      (return (local.get $r)))
    (call $guard_exit (i32.const 1129 (;S_job_name;)))
    (throw_ref))

  (func $checked_div (param $a i64) (param $b i64) (result i64)
    (if (i64.eqz (local.get $b))
      (then (throw $div_by_zero (local.get $a))))
    (i64.div_s (local.get $a) (local.get $b)))

  (func $main (export "_start")
    (local $total i64) (local $job i32) (local $r i32) (local $i i32) (local $sum i64)
    (local.set $total (call $run_batch (i32.const 512 (;T_batch1;)) (i32.const 7)))
    (call $say (i32.const 1133 (;S_batch1_total;)))
    (call $say_i64 (local.get $total))
    (call $nl)
    (block $done
      (block $catch_div_by_zero (result i64)
        (try_table (catch $div_by_zero $catch_div_by_zero)
          (local.set $total (call $run_batch (i32.const 544 (;T_batch2;)) (i32.const 3)))
          (call $say (i32.const 1148 (;S_batch2_total;)))
          (call $say_i64 (local.get $total))
          (call $nl))
        (br $done))
      (call $say (i32.const 1163 (;S_main_caught;)))
      (call $say_i64)
      (call $nl))

    ;; for (job = 0; job < 4; ++job) try { host_call(job, 7) ... } catch (const JobFailed& f) { ... }
    (loop $jobs
      (block $next
        (block $catch_job_failed (result i32)
          (try_table (catch $job_failed $catch_job_failed)
            (local.set $r (call $host_call (local.get $job) (i32.const 7)))
            (call $say (i32.const 1209 (;S_job;)))
            (call $say_i64 (i64.extend_i32_s (local.get $job)))
            (call $say (i32.const 1214 (;S_returned;)))
            (call $say_i64 (i64.extend_i32_s (local.get $r)))
            (call $nl))
          (br $next))
        (local.set $r)
        (call $say (i32.const 1209 (;S_job;)))
        (call $say_i64 (i64.extend_i32_s (local.get $job)))
        (call $say (i32.const 1225 (;S_failed;)))
        (call $say_i64 (i64.extend_i32_s (local.get $r)))
        (call $nl))
      (local.set $job (i32.add (local.get $job) (i32.const 1)))
      (br_if $jobs (i32.lt_s (local.get $job) (i32.const 4))))

    ;; try { strict_evaluate("1+"); } catch (...) { kept = std::current_exception(); }
    (block $done
      (block $catch_all (result exnref)
        (try_table (catch_all_ref $catch_all)
          (drop (call $strict_evaluate (i32.const 1350 (;E_one_plus;)))))
        (br $done))
      (global.set $kept)
      (call $say (i32.const 1239 (;S_kept;)))
      (call $nl))
    ;; try { try { std::rethrow_exception(kept); } catch (const ParseError&) { ... } } catch (const JobFailed& f) { ... }
    (block $done
      (block $catch_job_failed (result i32)
        (try_table (catch $job_failed $catch_job_failed)
          (block $catch_parse_error (result i32 i32)
            (try_table (catch $parse_error $catch_parse_error)
              (throw_ref (global.get $kept)))
            (br $done))
          (drop)
          (drop)
          (call $say (i32.const 1257 (;S_wrong;)))
          (call $nl))
        (br $done))
      (local.set $r)
      (call $say (i32.const 1271 (;S_again;)))
      (call $say_i64 (i64.extend_i32_s (local.get $r)))
      (call $nl))

    ;; 100,000 round trips: checked_div throws one frame down, the loop catches.
    (loop $loop
      (block $next
        (block $catch_div_by_zero (result i64)
          (try_table (catch $div_by_zero $catch_div_by_zero)
            (local.set $sum
              (i64.add (local.get $sum)
                (call $checked_div (i64.extend_i32_s (local.get $i))
                                   (i64.extend_i32_s (i32.rem_s (local.get $i) (i32.const 7)))))))
          (br $next))
        ;; sum += e.numerator * 3
        i64.const 3
        i64.mul
        local.get $sum
        i64.add
        local.set $sum)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $loop (i32.lt_s (local.get $i) (i32.const 100000))))
    (call $say (i32.const 1322 (;S_loop;)))
    (call $say_i64 (local.get $sum))
    (call $nl)
    (call $say (i32.const 1332 (;S_live;)))
    (call $say_i64 (i64.extend_i32_s (global.get $live_guards)))
    (call $nl)
    (call $flush))

  ;; Strings (NUL-terminated) and the two batches' tables of string addresses.
  (data (i32.const 1024) "eval \00") ;; S_eval
  (data (i32.const 1030) "  = \00") ;; S_eq
  (data (i32.const 1035) "  parse error \00") ;; S_parse_error
  (data (i32.const 1050) " at \00") ;; S_at
  (data (i32.const 1055) "  division by zero of \00") ;; S_div
  (data (i32.const 1078) "  second failure, rethrowing\00") ;; S_second
  (data (i32.const 1107) "  ~Guard \00") ;; S_guard
  (data (i32.const 1117) "paren\00") ;; S_paren
  (data (i32.const 1123) "batch\00") ;; S_batch
  (data (i32.const 1129) "job\00") ;; S_job_name
  (data (i32.const 1133) "batch 1 total \00") ;; S_batch1_total
  (data (i32.const 1148) "batch 2 total \00") ;; S_batch2_total
  (data (i32.const 1163) "main caught the rethrown division by zero of \00") ;; S_main_caught
  (data (i32.const 1209) "job \00") ;; S_job
  (data (i32.const 1214) " returned \00") ;; S_returned
  (data (i32.const 1225) " failed with \00") ;; S_failed
  (data (i32.const 1239) "kept an exception\00") ;; S_kept
  (data (i32.const 1257) "wrong handler\00") ;; S_wrong
  (data (i32.const 1271) "the kept exception, thrown again: job failed with \00") ;; S_again
  (data (i32.const 1322) "loop sum \00") ;; S_loop
  (data (i32.const 1332) "live guards \00") ;; S_live
  (data (i32.const 1345) "(1+2\00") ;; E_open
  (data (i32.const 1350) "1+\00") ;; E_one_plus
  (data (i32.const 1353) "1+2*3\00") ;; B1_0
  (data (i32.const 1359) "(4+5)*(6-1)\00") ;; B1_1
  (data (i32.const 1371) "2*(3+(4-\00") ;; B1_2
  (data (i32.const 1380) "7/(2-2)\00") ;; B1_3
  (data (i32.const 1388) "--8+10\00") ;; B1_4
  (data (i32.const 1395) "12)\00") ;; B1_5
  (data (i32.const 1399) "100/7/2\00") ;; B1_6
  (data (i32.const 1407) "((1+1)*(2+2))/(3-3)\00") ;; B2_0
  (data (i32.const 1427) "5/0\00") ;; B2_1
  (data (i32.const 1431) "1+1\00") ;; B2_2
  (data (i32.const 512) "\49\05\00\00\4f\05\00\00\5b\05\00\00\64\05\00\00\6c\05\00\00\73\05\00\00\77\05\00\00") ;; batch1
  (data (i32.const 544) "\7f\05\00\00\93\05\00\00\97\05\00\00") ;; batch2
)
