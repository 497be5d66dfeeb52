#!/bin/sh
# images.sh TOOL DIR LD LIBLOAMRT LIBLOAMSTD SCRIPT — ctest lower.images.
# Every DIR/*.loam with `// expect:` lines is compiled (-O0 and -O2), linked
# by ld.lld into a static hosted image with the runtime and the standard
# library, and run in a fresh directory with the arguments of `// run:`
# (data objects bound by name), after writing each `// input FILE: text`
# line to FILE. Its stdout must be the `// expect:` lines, its stderr must
# contain each `// expect stderr:` text, each `// expect FILE: text` line
# must be in FILE, and its exit status must be `// expect exit:` (default 0).
tool=$1 dir=$2 ld=$3 rt=$4 std=$5 script=$6
tmp=${TMPDIR:-/tmp}/loam-images.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for level in -O0 -O2; do
for src in "$dir"/*.loam; do
    grep -q '^// expect' "$src" || continue
    run_dir=$tmp/run$level.$(basename "$src" .loam)
    mkdir -p "$run_dir"
    sed -n 's|^// input \([A-Za-z0-9_.]*\): \(.*\)$|\1 \2|p' "$src" | while read -r file text; do
        printf '%s\n' "$text" >>"$run_dir/$file"
    done
    args=$(sed -n 's|^// run: \(.*\)$|\1|p' "$src")
    base=$(basename "$src" .loam)$level
    if ! (cd "$dir" && "$tool" $level --emit=obj -o "$tmp/$base.o" "$(basename "$src")") 2>"$tmp/$base.err" ||
       ! "$ld" -static -T "$script" --gc-sections "$tmp/$base.o" "$rt" "$std" -o "$tmp/$base" 2>>"$tmp/$base.err"; then
        fail=$((fail + 1)); echo "FAIL $base: does not build"; cat "$tmp/$base.err"; continue
    fi
    sed -n 's|^// expect: \(.*\)$|\1|p' "$src" >"$tmp/$base.want"
    sed -n 's|^// expect file \([A-Za-z0-9_.]*\): \(.*\)$|\1 \2|p' "$src" >"$tmp/$base.files"
    want_exit=$(sed -n 's|^// expect exit: \(.*\)$|\1|p' "$src")
    # shellcheck disable=SC2086 # args are words
    (cd "$run_dir" && timeout 20 "$tmp/$base" $args >"$tmp/$base.out" 2>"$tmp/$base.stderr")
    status=$?
    problem=
    cmp -s "$tmp/$base.want" "$tmp/$base.out" || problem="stdout differs"
    [ "$status" = "${want_exit:-0}" ] || problem="$problem; exit $status, expected ${want_exit:-0}"
    sed -n 's|^// expect stderr: \(.*\)$|\1|p' "$src" | while IFS= read -r line; do
        grep -qF -- "$line" "$tmp/$base.stderr" || echo "missing on stderr: $line"
    done >"$tmp/$base.missing"
    while read -r file text; do
        grep -qxF -- "$text" "$run_dir/$file" 2>/dev/null || echo "missing in $file: $text"
    done <"$tmp/$base.files" >>"$tmp/$base.missing"
    [ -s "$tmp/$base.missing" ] && problem="$problem; $(cat "$tmp/$base.missing")"
    if [ -z "$problem" ]; then
        pass=$((pass + 1)); echo "PASS $base"
    else
        fail=$((fail + 1)); echo "FAIL $base: $problem"
        diff "$tmp/$base.want" "$tmp/$base.out" | head -10
        head -5 "$tmp/$base.stderr"
    fi
done
done
echo "$pass passed, $fail failed"
test "$fail" = 0
