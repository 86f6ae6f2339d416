(module
  (type (;0;) (func (param i32 i32 i32 i32 i32)))
  (type (;1;) (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (type (;2;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;3;) (func (param i32 i32)))
  (type (;4;) (func (param i32 i32 i32) (result i32)))
  (import "env" "f15" (func (;0;) (type 3)))
  (import "env" "f16" (func (;1;) (type 3)))
  (import "env" "f54" (func (;2;) (type 3)))
  (import "env" "f88" (func (;3;) (type 4)))
  (func (;4;) (type 0) (param i32 i32 i32 i32 i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i64)
    i32.const 0
    i32.const 0
    call 0
    block  ;; label = @1
      local.get 8
      i32.load16_u
      local.tee 5
      i32.eqz
      if  ;; label = @2
        block  ;; label = @3
          local.get 8
          i32.load8_u offset=2
          local.tee 17
          i32.const 9
          i32.add
          i32.const 15
          i32.and
          i32.const 2
          i32.lt_u
          if  ;; label = @4
            local.get 8
            i32.const 0
            i32.store offset=16
            local.get 8
            i64.const 2863311530
            i64.store offset=8
            local.get 8
            local.get 2
            i64.load align=4
            i64.store offset=20 align=4
            local.get 8
            i32.const 80
            i32.add
            local.get 1
            call 1
            block  ;; label = @5
              block  ;; label = @6
                local.get 8
                i32.load16_u offset=92
                local.tee 5
                br_if 0 (;@6;)
                local.get 8
                i64.load offset=20 align=4
                local.tee 18
                i64.const 32
                i64.shr_u
                i32.wrap_i64
                local.set 14
                local.get 18
                i32.wrap_i64
                local.set 15
                local.get 8
                i32.const 24
                i32.add
                i32.load
                local.set 11
                local.get 8
                i32.load offset=8
                local.set 7
                local.get 8
                i32.load offset=16
                local.set 2
                local.get 8
                i32.load offset=12
                local.set 9
                local.get 8
                i32.load offset=20
                local.set 12
                loop  ;; label = @7
                  block  ;; label = @8
                    local.get 8
                    i32.load offset=84
                    local.set 10
                    local.get 8
                    i32.load offset=80
                    local.set 13
                    block (result i32)  ;; label = @9
                      block  ;; label = @10
                        block  ;; label = @11
                          block  ;; label = @12
                            block  ;; label = @13
                              block  ;; label = @14
                                block  ;; label = @15
                                  block  ;; label = @16
                                    block  ;; label = @17
                                      local.get 8
                                      i32.load8_u offset=88
                                      i32.const 8
                                      i32.sub
                                      br_table 7 (;@10;) 0 (;@17;) 6 (;@11;) 7 (;@10;) 1 (;@16;) 2 (;@15;) 3 (;@14;) 4 (;@13;) 5 (;@12;)
                                    end
                                    unreachable
                                  end
                                  i32.const 29
                                  local.set 5
                                  local.get 9
                                  i32.const 1
                                  i32.add
                                  local.tee 10
                                  i32.eqz
                                  br_if 7 (;@8;)
                                  local.get 4
                                  local.get 10
                                  i32.lt_u
                                  br_if 7 (;@8;)
                                  block  ;; label = @16
                                    local.get 2
                                    local.get 9
                                    i32.gt_u
                                    br_if 0 (;@16;)
                                    local.get 2
                                    local.set 5
                                    loop  ;; label = @17
                                      local.get 9
                                      i32.const -1
                                      local.get 5
                                      local.get 5
                                      i32.const 1
                                      i32.shr_u
                                      i32.add
                                      i32.const 8
                                      i32.add
                                      local.tee 6
                                      local.get 5
                                      local.get 6
                                      i32.gt_u
                                      select
                                      local.tee 5
                                      i32.ge_u
                                      br_if 0 (;@17;)
                                    end
                                    local.get 2
                                    local.get 5
                                    i32.ge_u
                                    br_if 0 (;@16;)
                                    block  ;; label = @17
                                      local.get 2
                                      if  ;; label = @18
                                        local.get 12
                                        local.get 7
                                        local.get 2
                                        i32.const 0
                                        local.get 5
                                        i32.const 0
                                        local.get 11
                                        i32.load offset=4
                                        call_indirect (type 1)
                                        i32.const 1
                                        i32.and
                                        br_if 1 (;@17;)
                                      end
                                      local.get 15
                                      local.get 5
                                      i32.const 0
                                      i32.const 0
                                      local.get 14
                                      i32.load
                                      call_indirect (type 2)
                                      local.tee 6
                                      i32.eqz
                                      if  ;; label = @18
                                        i32.const 16
                                        local.set 5
                                        br 10 (;@8;)
                                      end
                                      local.get 6
                                      local.get 7
                                      local.get 9
                                      call 3
                                      local.set 6
                                      local.get 2
                                      if  ;; label = @18
                                        local.get 12
                                        local.get 7
                                        i32.const -1431655766
                                        local.get 2
                                        select
                                        local.get 2
                                        i32.const 0
                                        i32.const 0
                                        local.get 11
                                        i32.load offset=8
                                        call_indirect (type 0)
                                      end
                                      local.get 6
                                      local.set 7
                                    end
                                    local.get 5
                                    local.set 2
                                  end
                                  local.get 9
                                  local.get 7
                                  i32.add
                                  local.get 13
                                  i32.store8
                                  local.get 10
                                  br 6 (;@9;)
                                end
                                i32.const 29
                                local.set 5
                                br 6 (;@8;)
                              end
                              i32.const 29
                              local.set 5
                              local.get 9
                              local.get 9
                              i32.const 3
                              i32.add
                              local.tee 10
                              i32.gt_u
                              br_if 5 (;@8;)
                              local.get 4
                              local.get 10
                              i32.lt_u
                              br_if 5 (;@8;)
                              block  ;; label = @14
                                local.get 2
                                local.get 10
                                i32.ge_u
                                br_if 0 (;@14;)
                                local.get 2
                                local.set 5
                                loop  ;; label = @15
                                  local.get 10
                                  i32.const -1
                                  local.get 5
                                  local.get 5
                                  i32.const 1
                                  i32.shr_u
                                  i32.add
                                  i32.const 8
                                  i32.add
                                  local.tee 6
                                  local.get 5
                                  local.get 6
                                  i32.gt_u
                                  select
                                  local.tee 5
                                  i32.gt_u
                                  br_if 0 (;@15;)
                                end
                                local.get 2
                                local.get 5
                                i32.ge_u
                                br_if 0 (;@14;)
                                local.get 2
                                if  ;; label = @15
                                  local.get 12
                                  local.get 7
                                  local.get 2
                                  i32.const 0
                                  local.get 5
                                  i32.const 0
                                  local.get 11
                                  i32.load offset=4
                                  call_indirect (type 1)
                                  i32.const 1
                                  i32.and
                                  br_if 1 (;@14;)
                                end
                                local.get 15
                                local.get 5
                                i32.const 0
                                i32.const 0
                                local.get 14
                                i32.load
                                call_indirect (type 2)
                                local.tee 6
                                i32.eqz
                                if  ;; label = @15
                                  i32.const 16
                                  local.set 5
                                  br 7 (;@8;)
                                end
                                local.get 6
                                local.get 7
                                local.get 9
                                call 3
                                local.set 6
                                local.get 2
                                if  ;; label = @15
                                  local.get 12
                                  local.get 7
                                  i32.const -1431655766
                                  local.get 2
                                  select
                                  local.get 2
                                  i32.const 0
                                  i32.const 0
                                  local.get 11
                                  call_indirect (type 0)
                                end
                                local.get 6
                                local.set 7
                              end
                              local.get 9
                              local.get 7
                              i32.add
                              local.tee 2
                              local.get 13
                              i32.store16 align=1
                              local.get 2
                              i32.const 2
                              i32.add
                              local.get 13
                              i32.const 16
                              i32.shr_u
                              i32.store8
                              i32.const 0
                              br 4 (;@9;)
                            end
                            i32.const 29
                            local.set 5
                            local.get 9
                            local.get 9
                            i32.const 4
                            i32.add
                            local.tee 10
                            i32.gt_u
                            br_if 4 (;@8;)
                            local.get 4
                            local.get 10
                            i32.lt_u
                            br_if 4 (;@8;)
                            block  ;; label = @13
                              local.get 2
                              local.get 10
                              i32.ge_u
                              if  ;; label = @14
                                local.get 2
                                local.set 5
                                br 1 (;@13;)
                              end
                              local.get 2
                              local.set 5
                              loop  ;; label = @14
                                local.get 10
                                i32.const -1
                                local.get 5
                                local.get 5
                                i32.const 1
                                i32.shr_u
                                i32.add
                                i32.const 8
                                i32.add
                                local.tee 6
                                local.get 5
                                local.get 6
                                i32.gt_u
                                select
                                local.tee 5
                                i32.gt_u
                                br_if 0 (;@14;)
                              end
                              local.get 2
                              if  ;; label = @14
                                i32.const 0
                                local.set 5
                                br 1 (;@13;)
                              end
                              local.get 2
                              if  ;; label = @14
                                local.get 12
                                local.get 7
                                local.get 2
                                i32.const 0
                                local.get 5
                                i32.const 0
                                local.get 11
                                i32.load offset=4
                                call_indirect (type 1)
                                i32.const 1
                                i32.and
                                br_if 1 (;@13;)
                              end
                              local.get 15
                              local.get 5
                              i32.const 0
                              i32.const 0
                              local.get 14
                              i32.load
                              call_indirect (type 2)
                              local.tee 6
                              i32.eqz
                              if  ;; label = @14
                                i32.const 16
                                local.set 5
                                br 6 (;@8;)
                              end
                              local.get 6
                              local.get 7
                              local.get 9
                              call 3
                              local.set 6
                              local.get 2
                              if  ;; label = @14
                                local.get 12
                                local.get 7
                                i32.const -1431655766
                                local.get 2
                                select
                                local.get 2
                                i32.const 0
                                i32.const 0
                                local.get 11
                                i32.load offset=8
                                call_indirect (type 0)
                              end
                              local.get 6
                              local.set 7
                            end
                            local.get 9
                            local.get 7
                            i32.add
                            local.get 13
                            i32.store align=1
                            local.get 5
                            local.set 2
                            local.get 10
                            br 3 (;@9;)
                          end
                          local.get 8
                          local.get 2
                          i32.store offset=16
                          local.get 8
                          local.get 9
                          i32.store offset=12
                          local.get 8
                          local.get 7
                          i32.store offset=8
                          i32.const 1
                          local.get 3
                          i32.const 1
                          i32.and
                          local.get 9
                          select
                          i32.eqz
                          br_if 8 (;@3;)
                          i32.const 29
                          local.set 5
                          local.get 9
                          local.get 9
                          local.get 10
                          i32.add
                          local.tee 1
                          i32.gt_u
                          br_if 5 (;@6;)
                          local.get 1
                          local.get 4
                          i32.gt_u
                          br_if 5 (;@6;)
                          i32.const 0
                          local.tee 5
                          br_if 5 (;@6;)
                          br 6 (;@5;)
                        end
                        local.get 8
                        local.get 2
                        i32.store offset=16
                        local.get 8
                        local.get 9
                        i32.store offset=12
                        local.get 8
                        local.get 7
                        i32.store offset=8
                        i32.const 29
                        local.set 5
                        local.get 9
                        local.get 9
                        local.get 10
                        i32.add
                        local.tee 1
                        i32.gt_u
                        br_if 4 (;@6;)
                        local.get 1
                        local.get 4
                        i32.gt_u
                        br_if 4 (;@6;)
                        i32.const 0
                        local.tee 5
                        br_if 4 (;@6;)
                        br 5 (;@5;)
                      end
                      i32.const 29
                      local.set 5
                      local.get 9
                      local.get 9
                      local.get 10
                      i32.add
                      local.tee 16
                      i32.gt_u
                      br_if 1 (;@8;)
                      local.get 4
                      local.get 16
                      i32.lt_u
                      br_if 1 (;@8;)
                      block  ;; label = @10
                        local.get 2
                        local.get 16
                        i32.ge_u
                        if  ;; label = @11
                          local.get 2
                          local.set 5
                          br 1 (;@10;)
                        end
                        local.get 2
                        local.set 5
                        loop  ;; label = @11
                          local.get 16
                          i32.const -1
                          local.get 5
                          local.get 5
                          i32.const 1
                          i32.shr_u
                          i32.add
                          i32.const 8
                          i32.add
                          local.tee 6
                          local.get 5
                          local.get 6
                          i32.gt_u
                          select
                          local.tee 5
                          i32.gt_u
                          br_if 0 (;@11;)
                        end
                        local.get 2
                        local.get 5
                        i32.ge_u
                        if  ;; label = @11
                          local.get 2
                          local.set 5
                          br 1 (;@10;)
                        end
                        local.get 2
                        if  ;; label = @11
                          local.get 12
                          local.get 7
                          local.get 2
                          i32.const 0
                          local.get 5
                          i32.const 0
                          local.get 11
                          i32.load offset=4
                          call_indirect (type 1)
                          i32.const 1
                          i32.and
                          br_if 1 (;@10;)
                        end
                        local.get 15
                        local.get 5
                        i32.const 0
                        i32.const 0
                        local.get 14
                        i32.load
                        call_indirect (type 2)
                        local.tee 6
                        i32.eqz
                        if  ;; label = @11
                          i32.const 16
                          local.set 5
                          br 3 (;@8;)
                        end
                        local.get 6
                        local.get 7
                        local.get 9
                        call 3
                        local.set 6
                        local.get 2
                        if  ;; label = @11
                          local.get 12
                          local.get 7
                          i32.const -1431655766
                          local.get 2
                          select
                          local.get 2
                          i32.const 0
                          i32.const 0
                          local.get 11
                          i32.load offset=8
                          call_indirect (type 0)
                        end
                        local.get 6
                        local.set 7
                      end
                      local.get 9
                      local.get 7
                      i32.add
                      local.get 13
                      local.get 10
                      call 3
                      drop
                      local.get 5
                      local.set 2
                      local.get 16
                    end
                    local.set 9
                    local.get 8
                    i32.const 80
                    i32.add
                    local.get 1
                    call 1
                    local.get 8
                    i32.load16_u offset=92
                    local.tee 5
                    i32.eqz
                    br_if 1 (;@7;)
                  end
                end
                local.get 8
                local.get 2
                i32.store offset=16
                local.get 8
                local.get 9
                i32.store offset=12
                local.get 8
                local.get 7
                i32.store offset=8
              end
              local.get 8
              i32.load offset=16
              local.tee 1
              if  ;; label = @6
                local.get 8
                i64.load offset=20 align=4
                local.tee 18
                i32.wrap_i64
                local.get 8
                i32.load offset=8
                i32.const -1431655766
                local.get 1
                select
                local.get 1
                i32.const 0
                i32.const 0
                local.get 18
                i64.const 32
                i64.shr_u
                i32.wrap_i64
                i32.load offset=8
                call_indirect (type 0)
              end
              local.get 0
              local.get 5
              i32.store16 offset=12
              br 4 (;@1;)
            end
            local.get 0
            i32.const 0
            i32.store16 offset=12
            local.get 17
            i32.const 15
            i32.and
            i32.const 7
            i32.eq
            if  ;; label = @5
              local.get 8
              i32.const 32
              i32.add
              local.get 8
              i32.const 8
              i32.add
              call 2
              local.get 8
              i32.load16_u offset=40
              if  ;; label = @6
                local.get 8
                i32.load offset=16
                local.tee 2
                if  ;; label = @7
                  local.get 8
                  i64.load offset=20 align=4
                  local.tee 18
                  i32.wrap_i64
                  local.get 8
                  i32.load offset=8
                  i32.const -1431655766
                  local.get 2
                  select
                  local.get 2
                  i32.const 0
                  i32.const 0
                  local.get 18
                  i64.const 32
                  i64.shr_u
                  i32.wrap_i64
                  i32.load offset=8
                  call_indirect (type 0)
                end
                unreachable
              end
              local.get 0
              local.get 8
              i64.load offset=32
              i64.store align=4
              br 4 (;@1;)
            end
            local.get 8
            i32.const 48
            i32.add
            local.get 8
            i32.const 8
            i32.add
            call 2
            local.get 8
            i32.load16_u offset=56
            local.tee 1
            if  ;; label = @5
              local.get 8
              i32.load offset=16
              local.tee 2
              if  ;; label = @6
                local.get 8
                i64.load offset=20 align=4
                local.tee 18
                i32.wrap_i64
                local.get 8
                i32.load offset=8
                i32.const -1431655766
                local.get 2
                select
                local.get 2
                i32.const 0
                i32.const 0
                local.get 18
                i64.const 32
                i64.shr_u
                i32.wrap_i64
                i32.load offset=8
                call_indirect (type 0)
              end
              local.get 0
              local.get 1
              i32.store16 offset=12
              br 4 (;@1;)
            end
            local.get 0
            i32.const 16
            i32.store8 offset=8
            local.get 0
            local.get 8
            i64.load offset=48
            i64.store align=4
            br 3 (;@1;)
          end
          local.get 8
          i32.const -64
          i32.sub
          local.get 1
          call 1
          local.get 8
          i32.load16_u offset=76
          local.tee 1
          i32.eqz
          if  ;; label = @4
            local.get 0
            local.get 8
            i64.load offset=64
            i64.store align=4
            local.get 0
            i32.const 0
            i32.store16 offset=12
            local.get 0
            i32.const 8
            i32.add
            local.get 8
            i32.const 72
            i32.add
            i32.load
            i32.store
            br 3 (;@1;)
          end
          local.get 0
          local.get 1
          i32.store16 offset=12
          br 2 (;@1;)
        end
        local.get 0
        local.get 10
        i32.store offset=4
        local.get 0
        local.get 13
        i32.store
        local.get 0
        i32.const 0
        i32.store16 offset=12
        local.get 0
        i32.const 7
        i32.const 10
        local.get 17
        i32.const 15
        i32.and
        i32.const 7
        i32.eq
        select
        i32.store8 offset=8
        br 1 (;@1;)
      end
      local.get 0
      local.get 5
      i32.store16 offset=12
    end)
  (table (;0;) 7 7 funcref)
  (memory (;0;) 18))
