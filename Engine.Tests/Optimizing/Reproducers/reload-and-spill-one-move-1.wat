(module
  (type (;0;) (func (param i32 i32 i32 i32 i32)))
  (type (;1;) (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (type (;2;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;3;) (func (param i32)))
  (type (;4;) (func (param i32 i32 i32)))
  (type (;5;) (func))
  (type (;6;) (func (param i32 i32 i32) (result i32)))
  (type (;7;) (func (param f32 i32) (result i32)))
  (type (;8;) (func (param f64 i32 i32) (result i32)))
  (type (;9;) (func (param i32 i32)))
  (type (;10;) (func (param i32 i32 i32 i32 i64 i32)))
  (type (;11;) (func (param i32 i32 i32 i32)))
  (type (;12;) (func (param i32) (result i32)))
  (type (;13;) (func (param i32 i32 i32 i32 i32 i32 i32)))
  (type (;14;) (func (param i32 f64 i32)))
  (type (;15;) (func (param i64 i32 i32 i32 i32 i32 i32 i32)))
  (type (;16;) (func (param i64 i32) (result i32)))
  (type (;17;) (func (param i32 i32) (result i32)))
  (type (;18;) (func (param i32 f64)))
  (type (;19;) (func (param i32 i64 i64)))
  (type (;20;) (func (param i32) (result i64)))
  (type (;21;) (func (param i32 i64 i64 i32)))
  (type (;22;) (func (param i32 i64 i64 i64 i64 i32)))
  (type (;23;) (func (param i32 i64 i64 i64 i64)))
  (type (;24;) (func (param i64 i64 i64 i64) (result i32)))
  (import "env" "f69" (func (;0;) (type 23)))
  (func (;1;) (type 4) (param i32 i32 i32)
    (local i32 i64 i64 i64 i64 i64 i32 i32 i64 i64 i64)
    global.get 0
    i32.const 80
    i32.sub
    local.tee 3
    global.set 0
    local.get 0
    i32.const 32
    i32.add
    i64.load
    local.set 4
    local.get 0
    i32.const 24
    i32.add
    i64.load
    local.set 5
    local.get 0
    i64.load offset=16
    local.set 6
    block  ;; label = @1
      local.get 2
      i32.const 16
      i32.lt_u
      br_if 0 (;@1;)
      local.get 0
      i64.load offset=8
      local.set 7
      local.get 0
      i64.load
      local.set 8
      i32.const 16
      local.set 9
      loop  ;; label = @2
        local.get 3
        i32.const 64
        i32.add
        local.get 6
        local.get 1
        local.get 9
        i32.add
        local.tee 10
        i32.const -16
        i32.add
        i64.load align=1
        i64.add
        local.tee 11
        i64.const 0
        local.get 8
        i64.const 0
        call 0
        local.get 3
        i32.const 32
        i32.add
        local.get 5
        local.get 10
        i32.const -8
        i32.add
        i64.load align=1
        i64.add
        local.tee 12
        local.get 11
        local.get 6
        i64.lt_u
        i64.extend_i32_u
        i64.add
        local.tee 6
        i64.const 0
        local.get 8
        i64.const 0
        call 0
        local.get 3
        i32.const 48
        i32.add
        local.get 11
        i64.const 0
        local.get 7
        i64.const 0
        call 0
        local.get 3
        i64.const 2
        i64.const 2
        i64.const 1
        local.get 6
        local.get 12
        i64.lt_u
        select
        local.get 12
        local.get 5
        i64.lt_u
        select
        local.get 4
        i64.add
        local.tee 4
        i64.const 0
        local.get 8
        i64.const 0
        call 0
        local.get 3
        i32.const 16
        i32.add
        local.get 6
        i64.const 0
        local.get 7
        i64.const 0
        call 0
        local.get 3
        i64.load
        local.tee 13
        local.get 3
        i64.load offset=16
        i64.add
        local.tee 6
        local.get 3
        i32.const 32
        i32.add
        i32.const 8
        i32.add
        i64.load
        local.get 3
        i32.const 48
        i32.add
        i32.const 8
        i32.add
        i64.load
        i64.add
        local.get 3
        i64.load offset=32
        local.tee 11
        local.get 3
        i64.load offset=48
        i64.add
        local.tee 5
        local.get 11
        i64.lt_u
        i64.extend_i32_u
        i64.add
        i64.add
        local.tee 11
        local.get 5
        local.get 3
        i32.const 64
        i32.add
        i32.const 8
        i32.add
        i64.load
        i64.add
        local.tee 12
        local.get 5
        i64.lt_u
        i64.extend_i32_u
        i64.add
        local.tee 5
        i64.const 3
        i64.and
        local.get 12
        local.get 4
        local.get 7
        i64.mul
        local.get 3
        i32.const 8
        i32.add
        i64.load
        local.get 3
        i32.const 16
        i32.add
        i32.const 8
        i32.add
        i64.load
        i64.add
        local.get 6
        local.get 13
        i64.lt_u
        i64.extend_i32_u
        i64.add
        i64.add
        local.get 11
        local.get 6
        i64.lt_u
        local.get 5
        local.get 11
        i64.lt_u
        i32.or
        i64.extend_i32_u
        i64.add
        local.tee 6
        i64.add
        local.tee 11
        local.get 12
        i64.lt_u
        local.get 11
        local.get 3
        i64.load offset=64
        local.tee 4
        local.get 5
        i64.const -4
        i64.and
        i64.add
        local.tee 12
        local.get 4
        i64.lt_u
        i64.extend_i32_u
        i64.add
        local.tee 4
        local.get 11
        i64.lt_u
        i32.or
        i64.extend_i32_u
        i64.add
        local.get 4
        local.get 6
        i64.const 2
        i64.shr_u
        i64.add
        local.tee 11
        local.get 4
        i64.lt_u
        local.get 11
        local.get 12
        local.get 5
        i64.const 2
        i64.shr_u
        local.get 6
        i64.const 62
        i64.shl
        i64.or
        i64.add
        local.tee 6
        local.get 12
        i64.lt_u
        i64.extend_i32_u
        i64.add
        local.tee 5
        local.get 11
        i64.lt_u
        i32.or
        i64.extend_i32_u
        i64.add
        local.set 4
        local.get 9
        i32.const 16
        i32.add
        local.tee 9
        local.get 2
        i32.le_u
        br_if 0 (;@2;)
      end
    end
    local.get 0
    local.get 4
    i64.store offset=32
    local.get 0
    local.get 5
    i64.store offset=24
    local.get 0
    local.get 6
    i64.store offset=16
    local.get 3
    i32.const 80
    i32.add
    global.set 0)
  (memory (;0;) 18)
  (global (;0;) (mut i32) (i32.const 1048576))
  (export "f35" (func 1)))
