#!/bin/sh
# reproducible.sh LOAM SOURCE_DIR — building the same source twice, to two
# different output paths and from two different working directories, gives
# byte-identical images (compared by SHA-256), at -O0 and -O2.
set -u
loam=$1
src=$2
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
case $src in /*) ;; *) src=$(pwd)/$src ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/a" "$tmp/b/deeper"
fail=0
for prog in examples/wordcount.loam examples/sort.loam examples/grep.loam examples/stats.loam tests/run/enum_values_in_collections.loam; do
    for opt in -O0 -O2; do
        name=$(basename "$prog" .loam)
        if ! (cd "$tmp/a" && "$loam" build $opt "$src/$prog" -o first) > "$tmp/log" 2>&1 ||
           ! (cd "$tmp/b/deeper" && "$loam" build $opt "$src/$prog" -o "$tmp/b/second.img") >> "$tmp/log" 2>&1; then
            sed 's/^/  | /' "$tmp/log" | head -10
            echo "FAIL $name $opt: does not build"
            fail=1
            continue
        fi
        one=$(sha256sum < "$tmp/a/first" | cut -d' ' -f1)
        two=$(sha256sum < "$tmp/b/second.img" | cut -d' ' -f1)
        if [ "$one" = "$two" ]; then
            echo "PASS $name $opt $one"
        else
            echo "FAIL $name $opt: $one != $two"
            cmp "$tmp/a/first" "$tmp/b/second.img" | head -3
            fail=1
        fi
        rm -f "$tmp/a/first" "$tmp/b/second.img"
    done
done
exit $fail
