#!/bin/sh
# run.sh [LOAM_BINARY [MEGABYTES]] — examples/wordcount.loam against C.
#
# Builds the text generator (gen.c) and writes a deterministic text of
# MEGABYTES × 10^6 bytes (default 200; kept in bench/out/wordcount/ and
# reused), builds examples/wordcount.loam with `loam build -O2` and
# wordcount.c with `clang-16 -O2`, checks that both write identical counts,
# then times both with `hyperfine -N --warmup 1 --runs 3` and prints the
# Loam/C ratio of the medians (target <= 1.10).
# Builds loam with `make build` if it is missing. Not part of `make test`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
loam=${1:-$root/build/bin/loam}
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
mb=${2:-200}
if [ ! -x "$loam" ]; then
    echo "$loam is missing: running make build"
    (cd "$root" && make build)
fi
out=$root/bench/out/wordcount
mkdir -p "$out"
cc=${CC_BENCH:-clang-16}
runs=${RUNS:-3}
command -v hyperfine > /dev/null 2>&1 || { echo "$0: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }

"$cc" -O2 -o "$out/gen" "$here/gen.c"
text=$out/text-${mb}MB.txt
if [ ! -f "$text" ]; then
    "$out/gen" "$mb" > "$text.tmp"
    mv "$text.tmp" "$text"
fi
echo "text: $text, $(wc -c < "$text" | tr -d ' ') bytes, $(wc -l < "$text" | tr -d ' ') lines"

"$cc" -O2 -o "$out/wordcount.c" "$here/wordcount.c"
"$loam" build -O2 "$root/examples/wordcount.loam" -o "$out/wordcount.loam"

# Both programs refuse to overwrite their output, so it is removed first.
c_out=$out/counts-c.tsv
loam_out=$out/counts-loam.tsv
rm -f "$c_out" "$loam_out"
"$out/wordcount.c" "text=$text" "counts=$c_out"
"$out/wordcount.loam" "text=$text" "counts=$loam_out"
if ! cmp "$c_out" "$loam_out"; then
    echo "FAIL: the Loam and C counts differ (diff $c_out $loam_out)" >&2
    exit 1
fi
echo "outputs identical: $(wc -l < "$c_out" | tr -d ' ') distinct words"

echo "load before timing: $(uptime)"
hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/wordcount-${mb}MB.json" \
    --prepare "rm -f $c_out $loam_out" \
    -n "wordcount C ${mb} MB" "$out/wordcount.c text=$text counts=$c_out" \
    -n "wordcount Loam ${mb} MB" "$out/wordcount.loam text=$text counts=$loam_out"
echo "load after timing: $(uptime)"

field() { tr ',' '\n' < "$3" | sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\([0-9.eE+-]*\).*/\1/p" | sed -n "$2p"; }
j=$out/wordcount-${mb}MB.json
awk -v mb="$mb" -v runs="$runs" -v c="$(field median 1 "$j")" -v l="$(field median 2 "$j")" \
    -v cu="$(field user 1 "$j")" -v cs="$(field system 1 "$j")" \
    -v lu="$(field user 2 "$j")" -v ls="$(field system 2 "$j")" \
    -v cm="$(field min 1 "$j")" -v lm="$(field min 2 "$j")" 'BEGIN {
    printf "wordcount %d MB, median of %d runs: C %.3f s, Loam %.3f s, Loam/C %.2f (target <= 1.10: %s)\n",
        mb, runs, c, l, l / c, (l / c <= 1.10) ? "met" : "not met"
    printf "CPU time (user+sys, mean): C %.3f s, Loam %.3f s, Loam/C %.2f\n", cu + cs, lu + ls, (lu + ls) / (cu + cs)
    printf "fastest run: C %.3f s, Loam %.3f s, Loam/C %.2f\n", cm, lm, lm / cm
}'
