#!/bin/sh
# run.sh LOAM_BINARY [LINES] — how fast `loam check` checks a large program.
#
# Builds gen.c, generates a valid program of LINES lines (default 200,000;
# never fewer), makes sure `loam check` accepts it (exit 0), then times
# `loam check` over 10 runs after 2 warm-up runs — with hyperfine when it is
# installed, else with a shell loop — and prints lines per second from the
# median run. Work files go to bench/out/ (ignored by git).
# Not part of `make test`: `make bench-check` runs it.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 LOAM_BINARY [LINES]" >&2
    exit 2
fi
case $1 in
    /*) loam=$1 ;;
    *) loam=$(pwd)/$1 ;;
esac
lines=${2:-200000}
[ "$lines" -ge 200000 ] || lines=200000
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../out
mkdir -p "$out"
out=$(cd "$out" && pwd)
target=1000000

if [ ! -x "$loam" ]; then
    echo "$0: $loam is not an executable (build it first: make build)" >&2
    exit 2
fi

${CC:-cc} -std=c17 -O2 -Wall -Wextra -o "$out/gen" "$here/gen.c"
program=$out/check-speed.loam
"$out/gen" "$lines" > "$program"
n_lines=$(wc -l < "$program" | tr -d ' ')
n_bytes=$(wc -c < "$program" | tr -d ' ')
echo "program: $program, $n_lines lines, $n_bytes bytes"

if ! "$loam" check "$program" > "$out/check.log" 2>&1; then
    echo "FAIL: loam check rejects the generated program (first errors below)" >&2
    head -n 20 "$out/check.log" >&2
    exit 1
fi
echo "loam check accepts it"

if command -v hyperfine > /dev/null 2>&1; then
    # -N: no shell in between; the empty-file run measures start-up alone.
    : > "$out/empty.loam"
    hyperfine -N --warmup 2 --runs 10 --export-json "$out/check-speed.json" \
        "$loam check $program" "$loam check $out/empty.loam"
    # Each result has "median", "user" and "system" (means), in seconds;
    # the first of each belongs to the big program, the second to the empty one.
    field() { tr ',' '\n' < "$out/check-speed.json" | sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\([0-9.eE+-]*\).*/\1/p" | sed -n "$2p"; }
    median=$(field median 1)
    cpu=$(awk -v u="$(field user 1)" -v s="$(field system 1)" 'BEGIN { print u + s }')
    startup=$(field median 2)
    tool=hyperfine
else
    : > "$out/times"
    i=0
    while [ $i -lt 12 ]; do
        start=$(date +%s.%N)
        "$loam" check "$program" > /dev/null 2>&1
        end=$(date +%s.%N)
        # The first two runs warm the caches and are not counted.
        [ $i -ge 2 ] && echo "$start $end" | awk '{ printf "%.6f\n", $2 - $1 }' >> "$out/times"
        i=$((i + 1))
    done
    median=$(sort -n "$out/times" | awk '{ t[NR] = $1 } END { print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }')
    echo "runs (s): $(sort -n "$out/times" | tr '\n' ' ')"
    tool="shell loop (hyperfine not installed)"
fi

awk -v n="$n_lines" -v b="$n_bytes" -v t="$median" -v goal="$target" -v tool="$tool" \
    -v cpu="${cpu:-}" -v startup="${startup:-}" 'BEGIN {
    rate = n / t
    printf "median %.3f s over 10 runs (%s)\n", t, tool
    printf "%.0f lines/s, %.1f MB/s\n", rate, b / t / 1e6
    # Also shown: the CPU time (less sensitive to a busy machine) and the
    # start-up time of `loam check` on an empty file, included above.
    if (cpu != "") printf "cpu (user+sys, mean) %.3f s: %.0f lines/s\n", cpu, n / cpu
    if (startup != "") printf "start-up (empty file, median) %.3f s\n", startup
    printf("target %d lines/s: %s\n", goal, (rate >= goal) ? "met" : sprintf("not met (%.0f%%)", 100 * rate / goal))
}'
