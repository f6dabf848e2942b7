;; A function laid out as Go's WebAssembly backend lays one out: a loop over
;; its basic blocks, a br_table on PC_B (param 0) at its head, and every jump
;; `i32.const target; local.set 0; br loop`. Two jumps are forward (threaded),
;; one backward (kept). h is not laid out so: left alone. Regenerate
;; dispatch.wasm with wabt:
;;
;;   wat2wasm dispatch.wat -o dispatch.wasm
(module
  (func (export "f") (param $pc i32) (param $x i64) (result i64)
    (local $acc i64)
    loop $dispatch
      block $b2
        block $b1
          block $b0
            local.get $pc
            br_table $b0 $b1 $b2 $b2
          end
          ;; block 0: acc = x; past 10, on to block 2
          local.get $x
          local.set $acc
          local.get $x
          i64.const 10
          i64.gt_s
          if
            i32.const 2
            local.set $pc
            br $dispatch
          end
        end
        ;; block 1: acc *= 2, x++, and again while x < 5 (backward)
        local.get $acc
        i64.const 2
        i64.mul
        local.set $acc
        local.get $x
        i64.const 1
        i64.add
        local.tee $x
        i64.const 5
        i64.lt_s
        if
          i32.const 1
          local.set $pc
          br $dispatch
        end
        i32.const 2
        local.set $pc
        br $dispatch
      end
      ;; block 2
      local.get $acc
      i64.const 1000
      i64.add
      return
    end
    unreachable)
  ;; no dispatch: left as it is
  (func (export "g") (param i64) (result i64)
    local.get 0
    i64.const 3
    i64.mul)
  ;; a loop and a switch of its own, which a threaded jump would break:
  ;; h(0) is 2, h(n) 1 otherwise
  (func (export "h") (param $n i32) (result i32)
    (local $acc i32)
    loop $again
      local.get $acc
      i32.const 1
      i32.add
      local.set $acc
      block $b1
        block $b0
          local.get $n
          br_table $b0 $b1
        end
        i32.const 1
        local.set $n
        br $again
      end
      local.get $acc
      return
    end
    unreachable))
