#!/bin/sh
# difftest.sh LOAM GEN FIRST COUNT [BATCH] — differential testing of the
# compiler against the interpreter (spec/interp.md §3).
#
# For each seed FIRST..FIRST+COUNT-1, the program `GEN SEED` is run by the
# interpreter (`loam run --interp`) and as -O0, -O2 and -O2 --no-yield
# images; stdout, stderr (the panic line), the exit status and the output
# file must be the same, and no temporary output may be left behind.
#
# Speed: building an image costs far more than running it, so programs are
# generated BATCH (default 25) at a time into one file (`GEN --batch`), each
# program a function, and a root task runs the one named by `which=SEED`:
# one build per configuration per batch instead of one per seed. (Larger
# batches make each interpreted run check a larger file.)
#
# The μVM on a sample: one seed per batch (a different position in each
# batch) also runs as an -O2 `--target muvm` image under QEMU (`loam run
# --vm`), when qemu-system-x86_64 is installed and LOAM_DIFF_VM is not 0.
#
# A run that lasts longer than LOAM_DIFF_TIMEOUT seconds (default 120) of
# wall time is killed (status 124) and so differs: a hang is a mismatch.
# When the interpreter itself runs out of time, the seed has no verdict;
# the summary counts such seeds (`how the interpreted runs ended`: 124).
#
# A mismatch prints `MISMATCH seed S (CONFIG): what`, saves the standalone
# program as tests/diff-failures/seed-S.loam (or $LOAM_DIFF_FAILURES) and,
# unless LOAM_DIFF_REDUCE=0, reduces it (reduce.sh) to seed-S.min.loam.
# At the end: the coverage of the generated programs (construct, count),
# how the runs ended, and the number of mismatches; exit 1 if any. With
# LOAM_DIFF_PROGRESS=1, a progress line after each batch.
set -u
if [ $# -lt 4 ]; then
    echo "usage: $0 LOAM GEN FIRST COUNT [BATCH]" >&2
    exit 2
fi
loam=$1 gen=$2 first=$3 count=$4 batch=${5:-25}
here=$(cd "$(dirname "$0")" && pwd)
failures=${LOAM_DIFF_FAILURES:-$here/../diff-failures}
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
case $gen in /*) ;; *) gen=$(pwd)/$gen ;; esac
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
configs="O0 O2 O2ny"
vm=
if [ "${LOAM_DIFF_VM:-1}" != 0 ] && command -v qemu-system-x86_64 > /dev/null 2>&1; then
    configs="$configs vm"
    vm=yes
fi
flags_of() {
    case $1 in
    O0) echo "-O0" ;; O2) echo "-O2" ;; O2ny) echo "-O2 --no-yield" ;; vm) echo "-O2 --target muvm" ;;
    esac
}
limit=${LOAM_DIFF_TIMEOUT:-120}
# bounded CMD...: runs CMD, killed after $limit seconds of wall time.
if command -v timeout > /dev/null 2>&1; then
    bounded() { timeout -k 5 "$limit" "$@"; }
else
    bounded() { "$@"; }
fi
vm_runs=0
start=$(date +%s)
mismatches=0
seeds=0
: > "$work/coverage"
: > "$work/endings"

# Runs one configuration ($2: interp or an image) of seed $1 in the batch
# directory; leaves out.$1.$2, err.$1.$2, res.$1.$2, and the status in
# status_$2. (`ulimit -t` below bounds every run's CPU time; `bounded`
# its wall time, for a run that sleeps forever.)
run_one() {
    case $2 in
    interp) bounded "$loam" run --interp p.loam which="$1" result="res.$1.$2" > "out.$1.$2" 2> "err.$1.$2" ;;
    vm) bounded "$loam" run --vm --timeout "$limit" img.vm which="$1" result="res.$1.$2" > "out.$1.$2" 2> "err.$1.$2" ;;
    *) bounded "./img.$2" which="$1" result="res.$1.$2" > "out.$1.$2" 2> "err.$1.$2" ;;
    esac
    eval "status_$2=$?"
}

# Compares configuration $2 of seed $1 with the interpreter; prints why
# they differ, or nothing.
differ() {
    s=$1 c=$2
    eval "sc=\$status_$c"
    [ "$status_interp" = "$sc" ] || { echo "exit status $status_interp (interp) vs $sc"; return; }
    cmp -s "out.$s.interp" "out.$s.$c" || { echo "stdout differs"; return; }
    cmp -s "err.$s.interp" "err.$s.$c" ||
        { echo "stderr: '$(head -c 200 "err.$s.interp")' vs '$(head -c 200 "err.$s.$c")'"; return; }
    if [ -e "res.$s.interp" ] || [ -e "res.$s.$c" ]; then
        cmp -s "res.$s.interp" "res.$s.$c" 2> /dev/null || { echo "output file differs"; return; }
    fi
    for leftover in .res."$s".*; do
        [ -e "$leftover" ] && echo "temporary file $leftover left behind"
        break
    done
}

ulimit -t $((limit * 2)) 2> /dev/null     # a backstop: the wall limit comes first

b=$first
last=$((first + count))
while [ "$b" -lt "$last" ]; do
    n=$batch
    [ $((b + n)) -le "$last" ] || n=$((last - b))
    dir="$work/batch"
    rm -rf "$dir"
    mkdir -p "$dir"
    "$gen" --batch "$b" "$n" --coverage > "$dir/p.loam" 2>> "$work/coverage" || { echo "gen failed at seed $b"; exit 2; }
    (
        cd "$dir" || exit 2
        for c in $configs; do
            # shellcheck disable=SC2046
            "$loam" build $(flags_of "$c") -o "img.$c" p.loam > "build.$c" 2>&1 &
        done
        wait
    )
    for c in $configs; do
        if [ ! -x "$dir/img.$c" ]; then
            echo "MISMATCH batch $b..$((b + n - 1)) ($c): does not build:"
            head -5 "$dir/build.$c"
            mismatches=$((mismatches + 1))
            mkdir -p "$failures" && cp "$dir/p.loam" "$failures/batch-$b.loam"
        fi
    done
    s=$b
    sampled=$((b + (b / batch) % n))   # the seed that also runs in the μVM
    while [ "$s" -lt $((b + n)) ]; do
        here_configs=$configs
        [ -n "$vm" ] && [ "$s" != "$sampled" ] && here_configs="O0 O2 O2ny"
        [ -n "$vm" ] && [ "$s" = "$sampled" ] && [ -x "$dir/img.vm" ] && vm_runs=$((vm_runs + 1))
        (
            cd "$dir" || exit 2
            run_one "$s" interp
            echo "$status_interp" >> "$work/endings"
            # The reference ran out of time (124; 137 when it had to be
            # killed; 152, SIGXCPU): nothing to compare with. (It crashing
            # otherwise is compared, and differs.) Counted below.
            case $status_interp in 124 | 137 | 152) exit 0 ;; esac
            for c in $here_configs; do [ -x "img.$c" ] && run_one "$s" "$c"; done
            for c in $here_configs; do
                [ -x "img.$c" ] || continue
                why=$(differ "$s" "$c")
                [ -n "$why" ] && echo "$c|$why"
            done > "why.$s"
            rm -f out."$s".* err."$s".* res."$s".*
        )
        seeds=$((seeds + 1))
        if [ -s "$dir/why.$s" ]; then
            mismatches=$((mismatches + 1))
            while IFS='|' read -r c why; do echo "MISMATCH seed $s ($c): $why"; done < "$dir/why.$s"
            mkdir -p "$failures"
            "$gen" "$s" > "$failures/seed-$s.loam"
            if [ "${LOAM_DIFF_REDUCE:-1}" != 0 ]; then
                c=$(head -1 "$dir/why.$s" | cut -d'|' -f1)
                sh "$here/reduce.sh" "$loam" "$failures/seed-$s.loam" "$c" > "$failures/seed-$s.min.loam" 2> /dev/null &&
                    echo "  reduced to $(wc -l < "$failures/seed-$s.min.loam") lines: $failures/seed-$s.min.loam"
            fi
        fi
        s=$((s + 1))
    done
    b=$((b + n))
    [ -n "${LOAM_DIFF_PROGRESS:-}" ] && echo "progress: $seeds seeds, $mismatches mismatches, $(( $(date +%s) - start ))s"
done

echo "coverage of the generated programs (construct: times generated):"
awk '{ n[$1] += $2 } END { for (k in n) printf "  %-22s %d\n", k, n[k] }' "$work/coverage" | sort
echo "how the interpreted runs ended (exit status: programs):"
sort "$work/endings" | uniq -c | awk '{ printf "  %s: %d\n", $2, $1 }'
unjudged=$(grep -c -x '124\|137\|152' "$work/endings")
echo "difftest: $seeds seeds, $mismatches mismatches (interp vs -O0, -O2, -O2 --no-yield; $vm_runs in the μVM), $unjudged without a verdict (the interpreter ran out of time), $(( $(date +%s) - start ))s"
[ "$mismatches" -eq 0 ]
