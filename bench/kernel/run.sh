#!/bin/sh
# run.sh — kernel micro-benchmarks (issue 4), not part of `make test`:
#   spawn + run + finish of an empty task (1,000,000 of them, 1 and 2
#   cores) beside pthread_create + join and fork + exec of a static hello
#   (our hello image); yield between two tasks on one core beside a
#   two-thread futex ping-pong; the map/reduce word count (mapreduce.c:
#   a count task per document, merged by a tree of merge tasks) over DOCS
#   (default 8) documents of MB (default 16) MB each on 1 and 2 cores,
#   checked against sort | uniq -c. Builds the Loam images from the C
#   tasks here against build/lib/libloamrt.a (make build first), the
#   baselines with clang-16 -O2. Prints nanoseconds per operation, median of
#   RUNS (default 3). Work files go to bench/out/kernel/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/bench/out/kernel
mkdir -p "$out"
lib=$root/build/lib/libloamrt.a
[ -f "$lib" ] || (cd "$root" && make build)
runs=${RUNS:-3}
N=${N:-1000000}
cflags="-O2 -ffreestanding -fno-stack-protector -fno-pie -fno-pic -fno-asynchronous-unwind-tables -I$root/runtime -I$root/kernel-lib"
for img in spawn_empty yield_pingpong mapreduce; do
    clang-16 $cflags -c "$here/$img.c" -o "$out/$img.o"
    ld.lld-16 -static -T "$root/linker/hosted.ld" --gc-sections "$out/$img.o" "$lib" -o "$out/$img"
done
clang-16 -O2 -pthread "$here/threads.c" -o "$out/threads"
hello=$root/build/tests/runtime/hello
[ -x "$hello" ] || (cd "$root" && cmake --build build --target runtime_images)

# best NS_PER_OP_COMMAND...: the median of $runs results (make bench
# reports medians; on a quiet machine the spread is small anyway)
best() {
    for _ in $(seq "$runs"); do "$@"; done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# image_ns N ARGS...: wall time of one image run, in ns per n
image_ns() {
    n=$1
    shift
    s=$(date +%s%N)
    (cd "$out" && "$@" >/dev/null)
    e=$(date +%s%N)
    echo $(((e - s) / n))
}

spawn1=$(best image_ns "$N" "$out/spawn_empty" --cores 1 n="$N")
spawn2=$(best image_ns "$N" "$out/spawn_empty" --cores 2 n="$N")
pthr=$(best "$out/threads" pthread $((N / 10)))
forkx=$(best "$out/threads" fork 2000 "$hello")
yield=$(best image_ns $((2 * N * 10)) "$out/yield_pingpong" --cores 1 n=$((N * 10)))
futex=$(best "$out/threads" futex $((N / 5)))

# The map/reduce word count: 1 core against 2, --force (no memoisation),
# a fresh store in bench/out/kernel/store.
docs=${DOCS:-8} mb=${MB:-16}
clang-16 -O2 "$root/bench/wordcount/gen.c" -o "$out/gen"
list=
for d in $(seq "$docs"); do
    [ -f "$out/doc$d.txt" ] || "$out/gen" "$mb" "$d" >"$out/doc$d.txt"
    list="$list${list:+,}doc$d.txt"
done
mr_ms() {
    rm -f "$out/counts$1"
    s=$(date +%s%N)
    (cd "$out" && ./mapreduce --force --cores "$1" --store "$out/store" docs="$list" counts="counts$1")
    e=$(date +%s%N)
    echo $(((e - s) / 1000000))
}
mr1=$(best mr_ms 1)
mr2=$(best mr_ms 2)
(cd "$out" && cat doc*.txt | tr ' \t' '\n\n' | grep -v '^$' | LC_ALL=C sort | LC_ALL=C uniq -c |
    awk '{ print $2 "\t" $1 }' >counts.want)
cmp -s "$out/counts1" "$out/counts.want" && cmp -s "$out/counts2" "$out/counts.want" ||
    echo "WARNING: the map/reduce counts differ from sort | uniq -c"

printf '%-46s %10s\n' "map/reduce word count, $docs x $mb MB, 1 core (ms)" "$mr1"
printf '%-46s %10s %10s\n' "map/reduce word count, 2 cores (ms)" "$mr2" "$(awk "BEGIN { printf \"%.2fx\", $mr1 / $mr2 }")"
printf '%-46s %10s %10s\n' "operation" "ns/op" "vs Loam"
printf '%-46s %10s %10s\n' "spawn+run+finish, empty task, 1 core" "$spawn1" 1.0
printf '%-46s %10s %10s\n' "spawn+run+finish, empty task, 2 cores" "$spawn2" "-"
printf '%-46s %10s %10s\n' "pthread_create+join" "$pthr" "$(awk "BEGIN { printf \"%.1f\", $pthr / $spawn1 }")"
printf '%-46s %10s %10s\n' "fork+exec static hello+wait" "$forkx" "$(awk "BEGIN { printf \"%.0f\", $forkx / $spawn1 }")"
printf '%-46s %10s %10s\n' "yield between two tasks, 1 core" "$yield" 1.0
printf '%-46s %10s %10s\n' "futex ping-pong between two threads (per switch)" "$futex" "$(awk "BEGIN { printf \"%.1f\", $futex / $yield }")"
