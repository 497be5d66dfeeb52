#!/bin/sh
# run.sh TOOL DIR — the lowering tests (ctest lower.ir).
# Every DIR/*.loam lowers to a module that verifies (lower_program dies
# otherwise) at -O0 and -O2 and compiles to an object; unsupported_*.loam
# fail with "not yet supported"; then structural checks with grep on the IR.
tool=$1
dir=$2
tmp=${TMPDIR:-/tmp}/loam-lower.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { # name command...
    name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

for src in "$dir"/*.loam; do
    base=$(basename "$src" .loam)
    case $base in
    unsupported_*)
        if "$tool" "$src" >"$tmp/$base.ll" 2>"$tmp/$base.err"; then
            bad "$base: expected an error"
        elif grep -q "not yet supported" "$tmp/$base.err"; then
            ok "$base: not yet supported"
        else
            bad "$base: wrong error"; cat "$tmp/$base.err"
        fi
        continue ;;
    esac
    for level in -O0 -O2; do
        if "$tool" $level "$src" >"$tmp/$base$level.ll" 2>"$tmp/$base.err"; then
            ok "$base $level: verifies"
        else
            bad "$base $level: lowering failed"; cat "$tmp/$base.err"
        fi
    done
    check "$base: object" "$tool" -O2 --emit=obj -o "$tmp/$base.o" "$src"
    # Reproducible: the same input gives the same bytes.
    "$tool" -O2 --emit=obj -o "$tmp/$base.2.o" "$src"
    check "$base: reproducible object" cmp -s "$tmp/$base.o" "$tmp/$base.2.o"
done

ir() { "$tool" "$@" 2>/dev/null; }
has() { grep -q -- "$2" "$1"; }

# Every program the checker accepts (tests/check/ok_*, examples/) lowers,
# or says "not yet supported" and nothing else: never an internal error.
root=$(cd "$dir/../.." && pwd)
for src in "$root"/tests/check/ok_*.loam "$root"/examples/*.loam; do
    [ -f "$src" ] || continue
    name=$(basename "$src")
    "$tool" -O2 -g "$src" >/dev/null 2>"$tmp/sweep.err"
    status=$?
    if [ $status = 0 ]; then
        ok "sweep: $name lowers"
    elif [ $status = 1 ] && grep -q 'not yet supported' "$tmp/sweep.err" &&
         ! grep 'error:' "$tmp/sweep.err" | grep -qv 'not yet supported'; then
        ok "sweep: $name is not supported yet"
    else
        bad "sweep: $name (exit $status)"; head -5 "$tmp/sweep.err"
    fi
done

# Yield points: at entry and at every loop back-edge, through __loam_budget
# (initial-exec TLS); none at all with --no-yield.
ir "$dir/control.loam" >"$tmp/y.ll"
check "yield: TLS budget is initial-exec" has "$tmp/y.ll" '@__loam_budget = external thread_local(initialexec) global i64'
check "yield: calls __loam_yield" has "$tmp/y.ll" 'call void @__loam_yield()'
# Each latch block (the back-edge of a loop, after the loop step) holds the
# budget check: it decrements the function's copy of the budget and branches
# to a block that yields. (The copy is loaded from __loam_budget at entry.)
latches=$(grep -c '^latch[0-9]*:' "$tmp/y.ll")
checked=$(awk '/^latch[0-9]*:/ { inside = 1; next } /^$/ { inside = 0 }
               inside && /br i1 .*label %yield[0-9]*, label %resume/ { n++; inside = 0 } END { print n + 0 }' "$tmp/y.ll")
check "yield: every back-edge ($latches) checks the budget" test "$latches" -ge 3 -a "$latches" = "$checked"
# Function entries (spec/abi.md §3): a task, or a function that calls a Loam
# function (and so may recurse), checks the budget on entry; a leaf function
# without calls does not (its loops yield at their back-edges).
ir "$dir/yield_entry.loam" >"$tmp/e.ll"
entry_checks() { awk -v f="$2" '$0 ~ "^define .*@" f "\\(" { inside = 1; next } inside && /^}/ { inside = 0 }
                 inside && /load i64, ptr @__loam_budget/ { n++ } END { print n + 0 }' "$1"; }
check "yield: a task checks the budget on entry" test "$(entry_checks "$tmp/e.ll" __loam_task_main)" -ge 1
check "yield: a recursive function checks the budget on entry" test "$(entry_checks "$tmp/e.ll" __loam_fn_fact)" -ge 1
check "yield: a leaf function without loops has no check" test "$(entry_checks "$tmp/e.ll" __loam_fn_leaf)" = 0
ir --no-yield "$dir/control.loam" >"$tmp/n.ll"
# In a register: at -O2 the loops carry the budget as a value (a phi), and
# __loam_budget is touched only on entry, around calls and on return.
ir -O2 "$dir/control.loam" >"$tmp/y2.ll"
check "yield: loops carry the budget in a register" sh -c "grep -q '%budget[.0-9a-z]* = phi i64' '$tmp/y2.ll'"
check "yield: none with --no-yield" test "$(grep -c '__loam_budget\|__loam_yield' "$tmp/n.ll")" = 0

# Integer traps and where-strings.
ir "$dir/arith.loam" >"$tmp/a.ll"
for f in llvm.sadd.with.overflow.i64 llvm.ssub.with.overflow.i64 llvm.smul.with.overflow.i64 \
         '@__loam_panic_overflow(ptr' '@__loam_panic_divide(ptr' 'sdiv i64' 'srem i64'; do
    check "arith: $f" has "$tmp/a.ll" "$f"
done
check "arith: where-string file:line:col" has "$tmp/a.ll" 'c"[^"]*arith.loam:4:13\\00"'
check "arith: panics are cold and noreturn" has "$tmp/a.ll" 'attributes #[0-9]* = { cold noreturn nounwind }'

# Bounds checks on arrays and strings.
ir "$dir/arrays.loam" >"$tmp/b.ll"
check "arrays: bounds panic" has "$tmp/b.ll" '@__loam_panic_bounds(ptr'
ir "$dir/strings.loam" >"$tmp/s.ll"
check "strings: bounds panic" has "$tmp/s.ll" '@__loam_panic_bounds(ptr'
check "strings: interpolation through __loam_concat" has "$tmp/s.ll" '@__loam_concat(ptr'
check "strings: Str passed as (ptr, i64) to C" has "$tmp/s.ll" 'call void @__loam_print(ptr'

# Tasks: entry points, request/commit, the table and the root.
ir "$dir/blobs.loam" >"$tmp/t.ll"
check "tasks: entry points" has "$tmp/t.ll" 'define void @__loam_task_wc(ptr %args)'
check "tasks: out writes request and commit" has "$tmp/t.ll" '@__loam_request(ptr'
check "tasks: commit" has "$tmp/t.ll" '@__loam_commit(ptr'
check "tasks: table of 2 tasks and an end" has "$tmp/t.ll" '@__loam_tasks = constant \[3 x'
check "tasks: no root among two tasks without main" has "$tmp/t.ll" '@__loam_root_task = constant i64 -1'
ir --task many "$dir/blobs.loam" >"$tmp/t2.ll"
check "tasks: --task picks the root" has "$tmp/t2.ll" '@__loam_root_task = constant i64 1'
ir "$dir/hello.loam" >"$tmp/h.ll"
check "tasks: main is the root" has "$tmp/h.ll" '@__loam_root_task = constant i64 0'

# Spawn (spec/abi.md §7): task indexes in declaration order, a null
# delegated handle for a Ref, the caller's own output for a delegation, the
# child's output slot left null, and a [Ref] passed as a fresh dolist.
ir -O0 "$dir/spawn.loam" >"$tmp/s.ll"
check "spawn: a Ref spawn of task 0" has "$tmp/s.ll" 'call ptr @__loam_spawn(i64 0, ptr %spawn.args, ptr null)'
check "spawn: delegation hands over 'dst'" sh -c "grep -q 'call ptr @__loam_spawn(i64 1, ptr %spawn.args[0-9]*, ptr %dst[0-9]*)' '$tmp/s.ll'"
check "spawn: the output slot is null" sh -c "grep -A1 '%total = getelementptr i8, ptr %spawn.args[0-9]*, i64 48' '$tmp/s.ll' | grep -q 'store ptr null, ptr %total'"
check "spawn: [Ref] becomes a 16-byte dolist" has "$tmp/s.ll" 'call ptr @__loam_alloc(i64 16)'
check "spawn: three spawns" test "$(grep -c 'call ptr @__loam_spawn' "$tmp/s.ll")" = 3

# for over lines()/words() walks the text: no array is built; TBAA keeps
# array headers apart from values (compiler/lower.c).
ir -O2 "$dir/wordcount.loam" >"$tmp/wc.ll"
check "stream: words() in a for builds no array" test "$(grep -c 'call ptr @__loam_str_words' "$tmp/wc.ll")" = 0
check "stream: lines() in a for builds no array" test "$(grep -c 'call ptr @__loam_str_lines' "$tmp/wc.ll")" = 0
check "stream: lines found by __loam_str_line_end" has "$tmp/wc.ll" '@__loam_str_line_end'
ir -O0 "$dir/arrays.loam" >"$tmp/tbaa.ll"
check "tbaa: one root" has "$tmp/tbaa.ll" '!{!"loam tbaa"}'
check "tbaa: header loads tagged" sh -c "grep 'load i64, ptr' '$tmp/tbaa.ll' | grep -q '!tbaa'"
check "tbaa: every load and store tagged" test "$(grep -E '= load |store ' "$tmp/tbaa.ll" | grep -vc '!tbaa')" = 0

# Writes are coalesced (lower_out.c): the loop's write requests only when its
# buffer is full, and the task commits the buffer before it returns.
ir -O0 "$dir/wordcount.loam" >"$tmp/wc0.ll"
check "coalesce: one request site, on refill" test "$(grep -c 'call ptr @__loam_request' "$tmp/wc0.ll")" = 1
check "coalesce: a write that fits skips the request" has "$tmp/wc0.ll" 'label %out.ready, label %out.refill'
check "coalesce: the request follows the flush of the old buffer" sh -c "awk '/^out.flushed[0-9]*:/ { r = 1 } /^\$/ { r = 0 } r && /@__loam_request/ { found = 1 } END { exit !found }' '$tmp/wc0.ll'"
check "coalesce: commit before the task returns" sh -c "grep -B40 'ret void' '$tmp/wc0.ll' | grep -q '@__loam_commit'"

# Methods written in Loam (stdlib-min/prelude.loam) are lowered into the
# module as internal fns when, and only when, the program uses them.
printf 'task main() { print("{" x ".trim()} {"ab".starts_with("a")}"); }\n' > "$tmp/prelude.loam"
ir -O0 "$tmp/prelude.loam" >"$tmp/p.ll"
check "prelude: trim is a Loam fn in the module" has "$tmp/p.ll" 'define internal { ptr, i64 } @__loam_prelude_str_trim('
check "prelude: starts_with too" has "$tmp/p.ll" 'define internal i1 @__loam_prelude_str_starts_with('
check "prelude: no C trim" test "$(grep -c '@__loam_str_trim' "$tmp/p.ll")" = 0
check "prelude: unused fns left out" test "$(grep -c 'define internal.*@__loam_prelude_str_contains' "$tmp/p.ll")" = 0
ir -O0 "$dir/hello.loam" >"$tmp/noprelude.ll"
check "prelude: nothing when unused" test "$(grep -c '__loam_prelude_' "$tmp/noprelude.ll")" = 0

# A bare-metal triple (μVM) gets functions without a red zone.
ir --target=x86_64-unknown-none-elf "$dir/control.loam" >"$tmp/pvh.ll"
check "target: none-elf triple" has "$tmp/pvh.ll" 'target triple = "x86_64-unknown-none-elf"'
check "target: no red zone on bare metal" has "$tmp/pvh.ll" 'attributes #0 = { noredzone nounwind }'
check "target: red zone when hosted" test "$(grep -c noredzone "$tmp/y.ll")" = 0

# Line tables with -g: the module verifies with debug locations on every
# call (inlining needs them), and the object has a .debug_line section.
for src in "$dir"/*.loam; do
    case $(basename "$src") in unsupported_*) continue ;; esac
    "$tool" -g -O2 --emit=obj -o "$tmp/g.o" "$src" 2>"$tmp/g.err" || { bad "debug: -g $src"; cat "$tmp/g.err"; }
done
ok "debug: -g -O2 builds every program"
ir -g "$dir/control.loam" >"$tmp/g.ll"
check "debug: compile unit and subprograms" has "$tmp/g.ll" 'DISubprogram(name: "collatz", linkageName: "__loam_fn_collatz"'
"$tool" -g --emit=obj -o "$tmp/g.o" "$dir/control.loam"
if command -v llvm-readelf-16 >/dev/null 2>&1; then
    check "debug: .debug_line in the object" sh -c "llvm-readelf-16 -S '$tmp/g.o' | grep -q debug_line"
fi
ir "$dir/control.loam" >"$tmp/nog.ll"
check "debug: none without -g" test "$(grep -c 'DISubprogram' "$tmp/nog.ll")" = 0

echo "$pass passed, $fail failed"
test "$fail" = 0
