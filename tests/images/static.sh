#!/bin/sh
# static.sh LOAM SOURCE_DIR — images are static, non-PIE executables: an ELF
# EXEC with no PT_INTERP program header and no dynamic section (kernel.md §1),
# and they run with an empty environment.
set -u
loam=$1
src=$2
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
for prog in examples/wordcount.loam examples/grep.loam tests/run/map_large.loam; do
    for opt in -O0 -O2; do
        name="$(basename "$prog" .loam) $opt"
        img="$tmp/image"
        rm -f "$img"
        if ! "$loam" build $opt "$src/$prog" -o "$img" > "$tmp/log" 2>&1; then
            sed 's/^/  | /' "$tmp/log" | head -10
            echo "FAIL $name: does not build"
            fail=1
            continue
        fi
        ok=1
        readelf -hW "$img" > "$tmp/h" 2>&1
        readelf -lW "$img" > "$tmp/l" 2>&1
        readelf -dW "$img" > "$tmp/d" 2>&1
        grep -q 'Type: *EXEC' "$tmp/h" || { echo "  not an EXEC (static, non-PIE) file"; ok=0; }
        grep -q 'Machine: *Advanced Micro Devices X86-64' "$tmp/h" || { echo "  not x86-64"; ok=0; }
        grep -q 'LOAD' "$tmp/l" || { echo "  no LOAD segment"; ok=0; }
        if grep -q 'INTERP' "$tmp/l"; then echo "  has a PT_INTERP segment"; ok=0; fi
        if grep -q 'DYNAMIC' "$tmp/l"; then echo "  has a PT_DYNAMIC segment"; ok=0; fi
        grep -q 'There is no dynamic section in this file' "$tmp/d" || { echo "  has a dynamic section"; sed 's/^/  | /' "$tmp/d" | head -5; ok=0; }
        # It runs without an environment (no loader, no libc to need one).
        if ! env -i "$img" --help > "$tmp/help" 2>&1 || ! grep -q '^usage: ' "$tmp/help"; then
            echo "  './image --help' failed under env -i"; ok=0
        fi
        if [ $ok = 1 ]; then echo "PASS $name"; else echo "FAIL $name"; fail=1; fi
    done
done
exit $fail
