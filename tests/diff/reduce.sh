#!/bin/sh
# reduce.sh LOAM FILE.loam CONFIG — a delta reducer for the differential
# tests: prints on stdout a smaller program on which the interpreter and the
# CONFIG image (O0, O2 or O2ny) still disagree (or, if FILE.loam does not
# build in CONFIG, that still checks but does not build).
#
# It deletes lines: chunks of n/2, n/4, … 1 lines, then each balanced
# `{ … }` block (a line ending in `{` to its closing line), keeping a
# deletion when the result still checks (`loam check`) and still shows the
# problem; rounds repeat until nothing more goes. Each try is one check,
# one build and two runs.
set -u
if [ $# -ne 3 ]; then
    echo "usage: $0 LOAM FILE.loam O0|O2|O2ny" >&2
    exit 2
fi
loam=$1 src=$2 cfg=$3
case $cfg in O0) flags="-O0" ;; O2) flags="-O2" ;; O2ny) flags="-O2 --no-yield" ;; *) echo "$0: bad config '$cfg'" >&2; exit 2 ;; esac
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
cp "$src" "$work/cur.loam"

# Does $work/try.loam show the problem? (0: yes)
interesting() {
    (
        cd "$work" || exit 1
        rm -rf r.i r.c img .r.*
        "$loam" check try.loam > /dev/null 2>&1 || exit 1
        # shellcheck disable=SC2086
        if ! "$loam" build $flags -o img try.loam > /dev/null 2>&1; then
            [ "$mode" = build ] && exit 0
            exit 1
        fi
        [ "$mode" = build ] && exit 1
        timeout 20 "$loam" run --interp try.loam result=r.i > o.i 2> e.i
        si=$?
        timeout 20 ./img result=r.c > o.c 2> e.c
        sc=$?
        [ "$si" = 124 ] || [ "$sc" = 124 ] && exit 1
        [ "$si" != "$sc" ] && exit 0
        cmp -s o.i o.c || exit 0
        cmp -s e.i e.c || exit 0
        if [ -e r.i ] || [ -e r.c ]; then cmp -s r.i r.c 2> /dev/null || exit 0; fi
        exit 1
    )
}

mode=run
cp "$work/cur.loam" "$work/try.loam"
if ! interesting; then
    mode=build
    if ! interesting; then
        echo "$0: $src shows no mismatch in $cfg" >&2
        cat "$src"
        exit 1
    fi
fi

# Tries deleting lines $1..$2 of cur.loam; keeps the deletion if interesting.
try_delete() {
    sed "$1,$2d" "$work/cur.loam" > "$work/try.loam"
    if interesting; then
        cp "$work/try.loam" "$work/cur.loam"
        return 0
    fi
    return 1
}

changed=1
while [ "$changed" = 1 ]; do
    changed=0
    n=$(wc -l < "$work/cur.loam")
    chunk=$((n / 2))
    while [ "$chunk" -ge 1 ]; do
        i=1
        while [ "$i" -le "$n" ]; do
            j=$((i + chunk - 1))
            if try_delete "$i" "$j"; then
                changed=1
                n=$(wc -l < "$work/cur.loam")
            else
                i=$((i + chunk))
            fi
        done
        chunk=$((chunk / 2))
    done
    # Balanced blocks, innermost last: "start end" for each line ending in '{'.
    awk '{ line[NR] = $0 }
         END {
             for (i = 1; i <= NR; i++) {
                 if (line[i] !~ /\{[ \t]*$/) continue
                 depth = 0
                 for (j = i; j <= NR; j++) {
                     t = line[j]; opens = gsub(/\{/, "{", t); closes = gsub(/\}/, "}", t)
                     depth += opens - closes
                     if (depth <= 0) { print i, j; break }
                 }
             }
         }' "$work/cur.loam" | sort -k1,1nr > "$work/blocks"
    while read -r a z; do
        [ "$z" -le "$(wc -l < "$work/cur.loam")" ] || continue
        try_delete "$a" "$z" && changed=1
    done < "$work/blocks"
done
cat "$work/cur.loam"
