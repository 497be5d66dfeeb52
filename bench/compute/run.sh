#!/bin/sh
# run.sh [LOAM_BINARY] — four Benchmarks Game programs, Loam against C.
#
# For nbody, fannkuch-redux, mandelbrot and spectral-norm: compiles the C
# version with `clang-16 -O2`, the Loam version with `loam build -O2` (yield
# points on, the default) and again with `--no-yield`; runs all three once at
# the benchmark size and stops if their outputs differ (a benchmark of wrong
# code measures nothing); then times the three side by side with
# `hyperfine -N --warmup 1 --runs 5` and prints a table of medians (and of
# the fastest runs):
# Loam/C (target <= 1.05) and yields on/off (target <= 1.02).
# Builds loam with `make build` if it is missing. Work files and the
# hyperfine JSON go to bench/out/compute/ (ignored by git).
# Not part of `make test`: `make bench-compute` runs it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
loam=${1:-$root/build/bin/loam}
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
if [ ! -x "$loam" ]; then
    echo "$loam is missing: running make build"
    (cd "$root" && make build)
fi
out=$root/bench/out/compute
mkdir -p "$out"
cc=${CC_BENCH:-clang-16}
runs=${RUNS:-5}

# program, parameter n: sized so that each C run takes about 0.5-1 s on the
# reference machine (fannkuch's n is the only knob: 10 takes ~0.3 s, 11 ~3.5 s).
programs="nbody:10000000 fannkuch:10 mandelbrot:3500 spectralnorm:4000"

command -v hyperfine > /dev/null 2>&1 || { echo "$0: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }

for entry in $programs; do
    p=${entry%%:*}
    "$cc" -O2 -o "$out/$p.c" "$here/$p.c" -lm
    "$loam" build -O2 "$here/$p.loam" -o "$out/$p.loam"
    "$loam" build -O2 --no-yield "$here/$p.loam" -o "$out/$p.noyield"
done

# Same output from the three builds, at the size that is timed.
for entry in $programs; do
    p=${entry%%:*} n=${entry#*:}
    "$out/$p.c" "n=$n" > "$out/$p.c.out"
    "$out/$p.loam" "n=$n" > "$out/$p.loam.out"
    "$out/$p.noyield" "n=$n" > "$out/$p.noyield.out"
    if ! diff "$out/$p.c.out" "$out/$p.loam.out" || ! diff "$out/$p.c.out" "$out/$p.noyield.out"; then
        echo "FAIL: $p n=$n: the Loam and C outputs differ" >&2
        exit 1
    fi
    echo "$p n=$n: outputs agree: $(tr '\n' ' ' < "$out/$p.c.out")"
done

echo "load before timing: $(uptime)"
for entry in $programs; do
    p=${entry%%:*} n=${entry#*:}
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/$p.json" \
        -n "$p C" "$out/$p.c n=$n" \
        -n "$p Loam" "$out/$p.loam n=$n" \
        -n "$p Loam --no-yield" "$out/$p.noyield n=$n"
done
echo "load after timing: $(uptime)"

# field NAME K FILE: the K-th value of "NAME": in a hyperfine JSON file (the
# results come in command order: C, Loam, Loam --no-yield).
field() { tr ',' '\n' < "$3" | sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\([0-9.eE+-]*\).*/\1/p" | sed -n "$2p"; }

echo
echo "wall-clock time over $runs runs: median, and in the last two columns the fastest run"
echo "(the least disturbed by other work on a shared machine)"
printf '%-13s %8s %9s %9s %7s %9s %9s %11s\n' program "C (s)" "Loam (s)" "no-yield" "Loam/C" "yield/noy" "min L/C" "min y/noy"
for entry in $programs; do
    p=${entry%%:*}
    j=$out/$p.json
    awk -v p="$p" \
        -v c="$(field median 1 "$j")" -v l="$(field median 2 "$j")" -v y="$(field median 3 "$j")" \
        -v cm="$(field min 1 "$j")" -v lm="$(field min 2 "$j")" -v ym="$(field min 3 "$j")" 'BEGIN {
        printf "%-13s %8.3f %9.3f %9.3f %7.3f %9.3f %9.3f %11.3f\n", p, c, l, y, l / c, l / y, lm / cm, lm / ym
    }'
done
echo "targets: Loam/C <= 1.05 (bounds checks and yields on), yields on/off <= 1.02"
