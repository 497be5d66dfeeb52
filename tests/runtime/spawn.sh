#!/bin/sh
# spawn.sh IMAGE_DIR — task graphs that unfold at run time (graph.c):
# trees, deep chains, tail spawns, diamonds, failure propagation with the
# chain of tasks in the message, memoisation in the store, --verify, the
# same bytes on 1 and 2 cores, and a crash test (SIGKILL at random moments,
# then a rerun that completes with the right bytes and no torn object).
# Prints PASS/FAIL lines, then "N passed, N failed"; exits 1 on any failure.
set -u
img=$(cd "$1" && pwd) || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/loam-spawn.XXXXXX") || exit 1
shm=$work
[ -d /dev/shm ] && [ -w /dev/shm ] && shm=$(mktemp -d /dev/shm/loam-spawn.XXXXXX)
trap 'rm -rf "$work" "$shm"' EXIT INT TERM
passed=0 failed=0
cd "$work" || exit 1

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# run ARGS...: sets status, err (stdout is not used by graph)
run() {
    timeout 60 "$img/graph" "$@" >/dev/null 2>stderr.txt
    status=$?
    err=$(cat stderr.txt)
}

# expect NAME FILE VALUE: the run succeeded and FILE holds VALUE
expect() {
    if [ "$status" = 0 ] && [ "$(cat "$2" 2>/dev/null)" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "status $status, result '$(head -c 40 "$2" 2>/dev/null)', want '$3', stderr '$err'"
    fi
}

# Sums of 0..n-1 by a tree of 2n-1 tasks, on one core and on two: the same
# bytes, the known value (n(n-1)/2).
run --cores 1 --store "$shm/s1" mode=sum n=1000 result=sum1
expect spawn.sum_tree_one_core sum1 499500
run --cores 2 --store "$shm/s2" mode=sum n=1000 result=sum2
expect spawn.sum_tree_two_cores sum2 499500
cmp -s sum1 sum2 && pass spawn.cores_1_and_2_same_bytes || fail spawn.cores_1_and_2_same_bytes "outputs differ"

# 60 producers of 300 KB each through a 1 MiB pool and 64 KiB per output:
# every byte arrives, in order, though buffers of one output travel through
# both cores' rings and producers keep waiting for the pool.
run --cores 2 --pool 1048576 --task-pool 65536 --store "$shm/f" mode=fanout n=60 result=fanout
expect io.fanout_under_backpressure fanout "ok 60"

run --store "$shm/t" mode=tree n=100000 result=tree
expect spawn.tree_of_100000_tasks tree 100000
# More committed objects than Linux allows a process mappings (65,530):
# 71,999 tasks with an output each, every one read by its parent.
run --store "$shm/w" mode=sum n=36000 result=wide
expect spawn.more_objects_than_mappings wide 647982000
run --store "$shm/c" mode=chain n=1000 result=chain
expect spawn.chain_of_1000_waiting_tasks chain 1000
run --store "$shm/c" mode=tail n=20000 result=tail
expect spawn.tail_spawn_20000_deep tail bottom
run --store "$shm/d" mode=diamond n=0 result=diamond
expect spawn.diamond diamond 22

# A panic two levels down fails every task that waited, and says why.
run mode=fail n=0 result=failed
want="loam: task 'main' failed: it waited for 'mid' which failed: it waited for 'bad' which panicked: graph.c:99:5: panic: index 3 out of range for length 2"
if [ "$status" = 101 ] && [ "$err" = "$want" ] && [ ! -e failed ] &&
    [ -z "$(ls -A .loam/store 2>/dev/null)" ]; then
    pass spawn.failure_names_the_chain
else
    fail spawn.failure_names_the_chain "status $status, stderr '$err', store '$(ls -A .loam/store 2>/dev/null)'"
fi

# Memoisation: chain 40 after chain 30 reuses chain(30) and runs main and
# chain(40..31); the same run again reuses main itself and runs nothing.
mkdir memo && cd memo || exit 1
run mode=chain n=30 result=a
expect memo.first_run a 30
[ -z "$err" ] && pass memo.first_run_says_nothing || fail memo.first_run_says_nothing "stderr '$err'"
run mode=chain n=40 result=b
expect memo.partial_rerun b 40
[ "$err" = "loam: reused 1 task's outputs from .loam/store (ran 11; --force runs everything)" ] &&
    pass memo.partial_rerun_says_so || fail memo.partial_rerun_says_so "stderr '$err'"
run mode=chain n=40 result=c
[ "$status" = 0 ] && cmp -s b c && [ "$err" = "loam: reused 1 task's outputs from .loam/store (ran 0; --force runs everything)" ] &&
    pass memo.same_run_does_no_work || fail memo.same_run_does_no_work "status $status, stderr '$err'"
run --force mode=chain n=40 result=d
[ "$status" = 0 ] && cmp -s b d && [ -z "$err" ] &&
    pass memo.force_runs_everything || fail memo.force_runs_everything "status $status, stderr '$err'"
# Identical spawns in one run: the first runs, the others wait for it and
# share its output; the run says nothing about the store (nothing was in
# it). --force does not reuse the store, but identical spawns of one run
# are still one task. On one core and on two.
for cores in 1 2; do
    run --cores $cores --store store.same$cores mode=same n=50 result=same$cores
    [ "$status" = 0 ] && [ "$(cat same$cores)" = "runs 1, all 42" ] && [ -z "$err" ] &&
        pass memo.identical_spawns_run_once_cores$cores ||
        fail memo.identical_spawns_run_once_cores$cores "status $status, result '$(cat same$cores 2>/dev/null)', stderr '$err'"
done
run --force --store store.same1 mode=same n=50 result=same3
[ "$status" = 0 ] && [ "$(cat same3)" = "runs 1, all 42" ] && [ -z "$err" ] &&
    pass memo.force_shares_identical_spawns || fail memo.force_shares_identical_spawns "status $status, result '$(cat same3 2>/dev/null)', stderr '$err'"
# torn DIR: the objects of store DIR whose content does not match the hash
# kept beside it (sha256sum is the oracle), or that have no hash beside them.
torn() {
    (cd "$1" && ls | grep -v '\.tmp\.' | grep -v '\.sum$' | while read -r o; do
        [ -f "$o.sum" ] && printf '%s  %s\n' "$(cat "$o.sum")" "$o" || printf '%s  %s\n' missing-sum "$o"
    done | sha256sum -c --quiet 2>&1)
}
# Every object matches the content hash kept beside it.
bad=$(torn .loam/store)
[ -z "$bad" ] && pass memo.sums_match_content || fail memo.sums_match_content "$bad"
# --verify notices an object changed behind the store's back and makes it again.
obj=$(grep -lx 35 .loam/store/* | head -1)   # chain(35), read by main(35)
printf 99 >"$obj"
run --verify mode=chain n=35 result=e
expect memo.verify_remakes_a_corrupt_object e 35
case $err in
"loam: warning: store object "*" does not match its content hash; it is made again"*) pass memo.verify_warns ;;
*) fail memo.verify_warns "stderr '$err'" ;;
esac
cd "$work" || exit 1

# Crash test: kill -9 at random moments, then a run that completes.
mkdir crash && cd crash || exit 1
i=0
while [ $i -lt 12 ]; do
    "$img/graph" mode=sum n=400 result=r$i >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(awk -v s=$i 'BEGIN { srand(s + 7); printf "%03d", int(rand() * 400) }')"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    i=$((i + 1))
done
run mode=sum n=400 result=final
expect crash.rerun_completes final 79800
bad=$(torn .loam/store)
[ -z "$bad" ] && [ -n "$(ls .loam/store)" ] && pass crash.no_torn_objects || fail crash.no_torn_objects "$bad"
# The killed images' temporaries and marks are gone after the rerun.
left=$(ls -A .loam/store .loam/store/.running 2>/dev/null | grep -c '\.tmp\.\|^[0-9][0-9]*$')
[ "$left" = 0 ] && pass crash.temporaries_swept || fail crash.temporaries_swept "$(ls -A .loam/store/.running 2>/dev/null | tr '\n' ' '), $left left"
cd "$work" || exit 1

# The progress line: drawn on a terminal (script gives the image one) once
# a run lasts a second, erased at the end; never when stderr is a file.
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "'$img/graph' --store '$shm/p' mode=sum n=3000 result=progress" /dev/null >tty.txt 2>&1
    esc=$(printf '\033')
    if ! grep -q 'tasks done' tty.txt; then
        echo "SKIP progress.drawn_on_a_terminal (the run was too short)"
    elif grep -q "loam: [0-9]* tasks done, [0-9]* running or queued, [0-9]* waiting; 0 MiB in, 0 MiB out" tty.txt &&
        [ "$(tail -c 4 tty.txt | od -An -c | tr -d ' ')" = "\r033[K" ] && [ "$(cat progress)" = 4498500 ]; then
        pass progress.drawn_on_a_terminal
    else
        fail progress.drawn_on_a_terminal "$(od -c tty.txt | tail -3)"
    fi
else
    echo "SKIP progress.drawn_on_a_terminal (no script(1))"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
