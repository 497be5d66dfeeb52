#!/bin/sh
# report.sh [LOAM_BINARY] — `make bench`: every benchmark of Loam beside its
# peer, in this one run, as ratios; prints one table and writes
# bench/results/REPORT.md, bench/results/results.tsv and a chart,
# bench/results/ratios.svg (gnuplot).
#
#   QUICK=1   smaller inputs and 3 runs instead of 5 (under 2 minutes)
#
# Every figure comes from this run: nothing is cached but generated inputs
# (bench/out/, deterministic). Each row is the median of several runs
# (hyperfine -N, one warm-up), the spread (min..max over the runs, as a
# percentage of the median), the ratio Loam/peer, the target of the issue
# that introduced it, and whether it is met. The areas:
#
#   generated code  compute programs, wordcount, sort      vs C, clang-16 -O2
#   yield points    the compute programs with yields       vs --no-yield
#   bounds checks   (no flag turns them off: not measured)
#   task spawn      spawn + finish of empty tasks           vs pthread, fork+exec
#   switch          yield ping-pong between two tasks        vs futex ping-pong
#   parallelism     mapreduce on 2 cores                     vs 1 core
#   image size      hosted and μVM hello                     vs gcc -static, Linux
#   boot            μVM hello under QEMU microvm (TCG)       vs Debian's Linux
#   compile speed   loam check / build                       vs clang -fsyntax-only / -O2 -c
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
loam=${1:-$root/build/bin/loam}
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
quick=${QUICK:-0}
[ "$quick" = 0 ] && runs=${RUNS:-5} || runs=${RUNS:-3}
cc=clang-16
work=$root/bench/out/report
results=$root/bench/results
mkdir -p "$work" "$results"
rows=$work/rows.tsv
: > "$rows"
for tool in hyperfine gnuplot "$cc" gcc; do
    command -v "$tool" > /dev/null 2>&1 || { echo "$0: '$tool' is missing: run scripts/deps.sh bench" >&2; exit 2; }
done
start=$(date +%s)

# ---- measuring ----

# time NAME CMD... — hyperfine's median, min and max (seconds) of CMD into
# $work/NAME.csv; each run starts from what PREPARE (a shell command,
# default none) leaves.
PREPARE=
time_it() {
    name=$1
    shift
    if [ -n "$PREPARE" ]; then
        hyperfine -N --style none --warmup 1 --runs "$runs" --prepare "$PREPARE" --export-json "$work/$name.json" "$@" > /dev/null
    else
        hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$work/$name.json" "$@" > /dev/null
    fi
    # median, min, max of the (single) command, from the JSON
    tr -d ' \n' < "$work/$name.json" | sed 's/.*"median":\([^,]*\),.*"min":\([^,]*\),"max":\([^,]*\),.*/\1 \2 \3/' > "$work/$name.t"
}
median() { awk '{ printf "%.4f", $1 }' "$work/$1.t"; }
spread() { awk '{ printf "%.0f%%", ($3 - $2) / $1 * 100 }' "$work/$1.t"; }

# row AREA WHAT LOAM PEER UNIT SPREAD TARGET — TARGET is "<= X" or ">= X"
# on the ratio LOAM/PEER (or "-" when the row has none).
row() {
    ratio=$(awk -v l="$3" -v p="$4" 'BEGIN { if (p > 0) printf "%.3f", l / p; else print "-" }')
    verdict=$(awk -v r="$ratio" -v t="$7" 'BEGIN {
        if (t == "-" || r == "-") { print "-"; exit }
        split(t, a, " "); ok = a[1] == "<=" ? r <= a[2] : r >= a[2];
        print ok ? "met" : "missed" }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$ratio" "$6" "$7" "$verdict" >> "$rows"
    printf '  %-44s %12s %12s %-7s ratio %-7s %-8s %s\n' "$2" "$3" "$4" "$5" "$ratio" "$7" "$verdict"
}
note() { printf '%s\t%s\t-\t-\t-\t-\t-\t-\t%s\n' "$1" "$2" "$3" >> "$rows"; printf '  %-44s %s\n' "$2" "$3"; }

# ---- generated code and yield points ----

echo "generated code (Loam/C, clang-16 -O2) and yield points (on/off)"
if [ "$quick" = 0 ]; then
    programs="nbody:10000000 fannkuch:10 mandelbrot:3500 spectralnorm:4000"
else
    programs="nbody:2000000 fannkuch:9 mandelbrot:1500 spectralnorm:1500"
fi
for entry in $programs; do
    p=${entry%%:*}
    n=${entry#*:}
    "$cc" -O2 -o "$work/$p.c" "$root/bench/compute/$p.c" -lm
    "$loam" build -O2 "$root/bench/compute/$p.loam" -o "$work/$p.loam"
    "$loam" build -O2 --no-yield "$root/bench/compute/$p.loam" -o "$work/$p.noyield"
    "$work/$p.c" "n=$n" > "$work/$p.c.out"
    for v in loam noyield; do
        "$work/$p.$v" "n=$n" > "$work/$p.$v.out"
        cmp -s "$work/$p.c.out" "$work/$p.$v.out" || { echo "$0: $p: Loam ($v) and C print different results" >&2; exit 1; }
    done
    time_it "$p-c" "$work/$p.c n=$n"
    time_it "$p-loam" "$work/$p.loam n=$n"
    time_it "$p-noyield" "$work/$p.noyield n=$n"
    row "generated code" "$p n=$n" "$(median "$p-loam")" "$(median "$p-c")" s "$(spread "$p-loam")" "<= 1.05"
    row "yield points" "$p, yields on / off" "$(median "$p-loam")" "$(median "$p-noyield")" s "$(spread "$p-noyield")" "<= 1.02"
done

[ "$quick" = 0 ] && mb=100 || mb=20
"$cc" -O2 -o "$work/gen" "$root/bench/wordcount/gen.c"
text=$root/bench/out/wordcount/text-${mb}MB.txt
mkdir -p "$root/bench/out/wordcount"
[ -f "$text" ] || { "$work/gen" "$mb" > "$text.tmp" && mv "$text.tmp" "$text"; }
# versus NAME C_SOURCE LOAM_SOURCE IN OUT INPUT TARGET WHAT — an example
# (in=INPUT out=OUT bindings) beside its C version: the same bytes out, then
# both timed, each run into a fresh output and store.
versus() {
    "$cc" -O2 -o "$work/$1.c" "$2"
    "$loam" build -O2 "$3" -o "$work/$1.loam"
    rm -rf "$work/$1-c.out" "$work/$1-loam.out" "$work/store"
    "$work/$1.c" "$4=$6" "$5=$work/$1-c.out"
    "$work/$1.loam" --store="$work/store" "$4=$6" "$5=$work/$1-loam.out" 2> /dev/null
    cmp -s "$work/$1-c.out" "$work/$1-loam.out" || { echo "$0: $1: Loam and C write different bytes" >&2; exit 1; }
    PREPARE="rm -rf $work/$1.out $work/store"
    time_it "$1-c" "$work/$1.c $4=$6 $5=$work/$1.out"
    time_it "$1-loam" "$work/$1.loam --store=$work/store $4=$6 $5=$work/$1.out"
    PREPARE=
    row "generated code" "$8" "$(median "$1-loam")" "$(median "$1-c")" s "$(spread "$1-loam")" "$7"
}
versus wordcount "$root/bench/wordcount/wordcount.c" "$root/examples/wordcount.loam" text counts "$text" "<= 1.10" "wordcount ${mb} MB"

[ "$quick" = 0 ] && count=2000000 || count=300000
numbers=$root/bench/out/sort-$count.txt
[ -f "$numbers" ] || awk -v n="$count" 'BEGIN { s = 7; for (i = 0; i < n; i++) { s = (s * 16807) % 2147483647; print s % 2000000001 - 1000000000 } }' > "$numbers"
versus sort "$root/bench/sort/sort.c" "$root/examples/sort.loam" numbers sorted "$numbers" "<= 1.10" "sort $count integers"

echo "bounds checks"
note "bounds checks" "checks on / off" "not measured: no flag turns the checks off (they are part of the language)"

# ---- the kernel: spawn, switch, parallelism ----

echo "task spawn and switch (bench/kernel/run.sh)"
[ "$quick" = 0 ] && tasks=1000000 || tasks=200000
RUNS=$runs N=$tasks DOCS=2 MB=1 sh "$here/kernel/run.sh" > "$work/kernel.log" 2>&1 ||
    { cat "$work/kernel.log" >&2; echo "$0: bench/kernel/run.sh failed" >&2; exit 1; }
# its table: a label, then nanoseconds per operation
kernel_ns() { awk -v want="$1" 'substr($0, 1, length(want)) == want { split(substr($0, length(want) + 1), f, " "); print f[1] + 0; exit }' "$work/kernel.log"; }
spawn=$(kernel_ns "spawn+run+finish, empty task, 1 core")
row "task spawn" "spawn+finish of an empty task vs pthread_create+join (ns)" "$spawn" "$(kernel_ns pthread_create+join)" ns - "-"
row "task spawn" "spawn+finish of an empty task vs fork+exec+wait of a static hello (ns)" "$spawn" "$(kernel_ns "fork+exec static hello+wait")" ns - "-"
row "task spawn" "spawn+finish of an empty task / 200 ns target (ns)" "$spawn" 200 ns - "<= 1"
yield=$(kernel_ns "yield between two tasks, 1 core")
row "switch" "yield between two tasks vs futex ping-pong of two threads (ns)" "$yield" "$(kernel_ns "futex ping-pong between two threads (per switch)")" ns - "-"
row "switch" "yield between two tasks / 30 ns target (ns)" "$yield" 30 ns - "<= 1"

echo "parallelism (mapreduce, 1 core / 2 cores)"
[ "$quick" = 0 ] && docs=16 || docs=4
mkdir -p "$work/docs"
list=
for i in $(seq 1 $docs); do
    d=$work/docs/doc$i.txt
    [ -f "$d" ] || tail -c +$(( (i - 1) * 1000000 + 1 )) "$text" | head -c 5000000 > "$d"   # overlapping, all different
    list=${list:+$list,}$d
done
"$loam" build -O2 "$root/examples/mapreduce.loam" -o "$work/mapreduce"
PREPARE="rm -rf $work/total.tsv $work/store"
time_it mr-1 "$work/mapreduce --cores 1 --store=$work/store docs=$list total=$work/total.tsv"
time_it mr-2 "$work/mapreduce --cores 2 --store=$work/store docs=$list total=$work/total.tsv"
PREPARE=
row "parallelism" "mapreduce, $docs docs × 5 MB: 1 core / 2 cores" "$(median mr-1)" "$(median mr-2)" "s" "$(spread mr-2)" ">= 1.8"

# ---- image size ----

echo "image size"
"$loam" build -O2 "$root/bench/image-size/hello.loam" -o "$work/hello-loam"
gcc -O2 -static -o "$work/hello-gcc" "$root/bench/image-size/hello.c"
strip "$work/hello-gcc"
size() { wc -c < "$1" | tr -d ' '; }
row "image size" "hosted hello (bytes) / gcc -static, stripped" "$(size "$work/hello-loam")" "$(size "$work/hello-gcc")" bytes 0% "-"
row "image size" "hosted hello (bytes) / 32 KiB target" "$(size "$work/hello-loam")" 32768 bytes 0% "<= 1"

# ---- μVM: image size and boot ----

echo "μVM: image size and boot (bench/muvm/run.sh, TCG)"
RUNS=$runs sh "$here/muvm/run.sh" "$loam" > "$work/muvm.log" 2>&1 ||
    { cat "$work/muvm.log" >&2; echo "$0: bench/muvm/run.sh failed" >&2; exit 1; }
mu=$root/bench/out/muvm
linux_bytes=$(( $(size "$(ls "$root"/bench/out/linux/root/boot/vmlinuz-* | head -1)") + $(size "$mu/initrd.cpio") ))
row "image size" "μVM hello / 64 KiB target (bytes)" "$(size "$mu/hello.muvm")" 65536 bytes 0% "<= 1"
row "image size" "μVM hello vs Debian's kernel + hello initramfs (bytes)" "$(size "$mu/hello.muvm")" "$linux_bytes" bytes 0% "-"
# boot.csv (hyperfine): command,mean,stddev,median,user,system,min,max
boot() { awk -F, -v n="$1" -v f="$2" 'NR == n { printf "%.4f", $f }' "$mu/boot.csv"; }
row "boot" "μVM hello vs Linux + initramfs hello, boot to exit (s)" "$(boot 2 4)" "$(boot 3 4)" s \
    "$(awk -v m="$(boot 2 4)" -v a="$(boot 2 7)" -v b="$(boot 2 8)" 'BEGIN { printf "%.0f%%", (b - a) / m * 100 }')" "<= 0.05"

# ---- compile speed ----

echo "compile speed (lines per second; ratio Loam/C, higher is better)"
loam_lines=0
c_lines=0
for p in nbody fannkuch mandelbrot spectralnorm; do
    loam_lines=$((loam_lines + $(wc -l < "$root/bench/compute/$p.loam")))
    c_lines=$((c_lines + $(wc -l < "$root/bench/compute/$p.c")))
done
# One hyperfine command per tool: a shell loop over the four programs.
for p in nbody fannkuch mandelbrot spectralnorm; do
    printf '%s check %s\n' "$loam" "$root/bench/compute/$p.loam"
done > "$work/check.sh"
for p in nbody fannkuch mandelbrot spectralnorm; do
    printf '%s build -O2 --emit=obj %s -o %s/%s.o\n' "$loam" "$root/bench/compute/$p.loam" "$work" "$p"
done > "$work/build.sh"
for p in nbody fannkuch mandelbrot spectralnorm; do
    printf '%s -fsyntax-only %s\n' "$cc" "$root/bench/compute/$p.c"
done > "$work/syntax.sh"
for p in nbody fannkuch mandelbrot spectralnorm; do
    printf '%s -O2 -c %s -o %s/%s.c.o\n' "$cc" "$root/bench/compute/$p.c" "$work" "$p"
done > "$work/cc.sh"
for s in check build syntax cc; do time_it "compile-$s" "sh $work/$s.sh"; done
rate() { awk -v l="$1" -v t="$(median "$2")" 'BEGIN { printf "%.0f", l / t }'; }
row "compile speed" "loam check vs clang -fsyntax-only (lines/s)" "$(rate $loam_lines compile-check)" "$(rate $c_lines compile-syntax)" "lines/s" "$(spread compile-check)" ">= 1"
row "compile speed" "loam build -O2 vs clang -O2 -c (lines/s)" "$(rate $loam_lines compile-build)" "$(rate $c_lines compile-cc)" "lines/s" "$(spread compile-build)" ">= 1"
"$cc" -O2 -o "$work/checkgen" "$root/bench/check-speed/gen.c"
[ "$quick" = 0 ] && lines=200000 || lines=50000
[ -f "$work/big-$lines.loam" ] || "$work/checkgen" "$lines" > "$work/big-$lines.loam"
big_lines=$(wc -l < "$work/big-$lines.loam")
time_it check-big "$loam check $work/big-$lines.loam"
row "compile speed" "loam check, $big_lines generated lines (lines/s) / target" "$(rate "$big_lines" check-big)" 1000000 "lines/s" "$(spread check-big)" ">= 1"


# ---- the report ----

elapsed=$(( $(date +%s) - start ))
sh "$here/render.sh" "$rows" "$results" "$loam" "$quick" "$elapsed"
echo "wrote $results/REPORT.md and $results/ratios.svg in ${elapsed} s"
