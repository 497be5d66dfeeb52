#!/bin/sh
# run.sh IMAGE_DIR — runs the hosted test images built from this folder and
# checks what spec/kernel.md promises: outputs committed whole or not at all,
# one line and exit 2 for every binding error, `where: panic: what` and 101
# for a panic, a cooperative scheduler, a static image with no interpreter.
# Prints PASS/FAIL lines, then "N passed, N failed"; exits 1 on any failure.
set -u
img=$(cd "$1" && pwd) || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/loam-rt.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
passed=0 failed=0 case_no=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# fresh: a new empty directory for one case; the case runs inside it.
fresh() {
    case_no=$((case_no + 1))
    dir=$work/case$case_no
    mkdir "$dir" && cd "$dir" || exit 1
}

# run IMAGE ARGS...: runs in the current directory; sets status, out, err.
run() {
    image=$1
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout 20 "$img/$image" "$@" >stdout.txt 2>stderr.txt
    else
        "$img/$image" "$@" >stdout.txt 2>stderr.txt
    fi
    status=$?
    out=$(cat stdout.txt)
    err=$(cat stderr.txt)
    rm -f stdout.txt stderr.txt
}

# files: what the case directory holds (hidden files too, but not the
# store .loam), one line; stored: what the store holds.
files() { ls -A | grep -v '^\.loam$' | tr '\n' ' '; }
stored() { ls -A .loam/store 2>/dev/null | tr '\n' ' '; }
# no_temporaries: the store holds no *.tmp.* file
no_temporaries() { ! ls -A .loam/store 2>/dev/null | grep -q '\.tmp\.'; }

lines() { printf '%s\n' "$1" | wc -l | tr -d ' '; }

readelf=readelf
command -v readelf >/dev/null 2>&1 || readelf=llvm-readelf-16

# ---- images are static executables with no interpreter, no dynamic section
for image in hello echo boom params spin arena stuck; do
    if $readelf -lW "$img/$image" | grep -q INTERP; then
        fail "static.$image" "has a PT_INTERP segment"
    elif ! $readelf -dW "$img/$image" | grep -q "no dynamic section"; then
        fail "static.$image" "has a dynamic section"
    elif ! $readelf -lW "$img/$image" | grep -q " TLS "; then
        fail "static.$image" "has no PT_TLS segment"
    else
        pass "static.$image"
    fi
done
# The manifest is kept (even under --gc-sections) but not loaded.
if ! $readelf -p .loam.manifest "$img/hello" 2>/dev/null | grep -q "task hello()"; then
    fail static.manifest_kept "no .loam.manifest with the task in hello"
elif $readelf -SW "$img/hello" | grep '\.loam\.manifest' | grep -q ' [WAX]*A[WAX]* '; then
    fail static.manifest_kept ".loam.manifest is loaded (SHF_ALLOC)"
else
    pass static.manifest_kept
fi

size=$(wc -c <"$img/hello" | tr -d ' ')
loaded=0
for seg in $($readelf -lW "$img/hello" | awk '$1 == "LOAD" { print $6 }'); do
    loaded=$((loaded + seg))
done
stripped=?
if command -v llvm-strip-16 >/dev/null 2>&1 && llvm-strip-16 -o "$work/hello.stripped" "$img/hello"; then
    stripped=$(wc -c <"$work/hello.stripped" | tr -d ' ')
fi
echo "NOTE hello image: $size bytes on disk, $stripped stripped, $loaded bytes loaded"

# ---- hello: the Solo5-style boot test
fresh
run hello
if [ "$status" = 0 ] && [ "$out" = "hello from loam" ] && [ -z "$err" ]; then
    pass hello
else
    fail hello "status $status, stdout '$out', stderr '$err'"
fi

# ---- echo: an input copied byte for byte, committed atomically
fresh
cat "$img/echo" "$img/params" "$img/echo" "$img/arena" "$img/boom" >in.bin
run echo text=in.bin copy=out.bin
if [ "$status" != 0 ] || [ -n "$err" ]; then
    fail echo.copy "status $status, stderr '$err'"
elif ! cmp -s in.bin out.bin; then
    fail echo.copy "output differs from input"
elif [ "$(files)" != "in.bin out.bin " ]; then
    fail echo.copy "directory holds: $(files)"
else
    pass echo.copy
fi

# The commit protocol itself, when strace can watch: the object's temporary
# created with O_EXCL in the store, written, fsynced; its sum renamed in
# place, then the object; then the bound path linked to it (never
# replacing), the directory fsynced, and only then the exit.
fresh
printf 'abc' >in
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
    strace -f -o trace.txt "$img/echo" --cores 1 text=in copy=out >/dev/null 2>&1
    hex='[0-9a-f]\{64\}'
    got=$(sed -n -e "s/.*\(openat\)(AT_FDCWD, \"\.loam\/store\/$hex\.tmp\.[0-9]*\", O_RDWR|O_CREAT|O_EXCL.*/\1/p" \
        -e 's/.*\(pwrite64\)([0-9]*, "abc", 3, 0.*/\1/p' -e 's/^[0-9]* *\(fsync\)([0-9]*.*/\1/p' \
        -e "s/.*\(renameat\)(AT_FDCWD, \"\.loam\/store\/$hex\.sum\.tmp\.[0-9]*\", AT_FDCWD, \"\.loam\/store\/$hex\.sum\".*/\1-sum/p" \
        -e "s/.*\(renameat\)(AT_FDCWD, \"\.loam\/store\/$hex\.tmp\.[0-9]*\", AT_FDCWD, \"\.loam\/store\/$hex\".*/\1-object/p" \
        -e "s/.*\(linkat\)(AT_FDCWD, \"\.loam\/store\/$hex\", AT_FDCWD, \"out\", 0.*/\1/p" \
        -e 's/.*\(exit_group\).*/\1/p' trace.txt | uniq | tr '\n' ' ')
    # (the store's directory is fsynced before the link, the output's after)
    want="openat pwrite64 fsync renameat-sum renameat-object fsync linkat fsync exit_group "
    if [ "$got" = "$want" ] && [ "$(cat out)" = abc ]; then
        pass echo.commit_protocol
    else
        fail echo.commit_protocol "system calls: $got"
    fi
    # Workers (every thread but the main one, which serves I/O) never touch
    # a file: the I/O thread creates, writes, syncs and renames.
    main=$(sed -n 's/^\([0-9]*\) *execve.*/\1/p' trace.txt)
    by_workers=$(grep -E "^[0-9]+ +(openat|pwrite64|write\([3-9]|renameat|fsync|linkat)" trace.txt | grep -v "^$main ")
    by_main=$(grep -E "^$main +pwrite64" trace.txt)
    if [ -n "$main" ] && [ -z "$by_workers" ] && [ -n "$by_main" ]; then
        pass io.workers_make_no_file_calls
    else
        fail io.workers_make_no_file_calls "workers did: $by_workers"
    fi
else
    echo "SKIP echo.commit_protocol (no usable strace)"
fi

fresh
: >empty
run echo text=empty copy=copy
if [ "$status" = 0 ] && [ -f copy ] && [ ! -s copy ] && [ "$(files)" = "copy empty " ]; then
    pass echo.empty_input
else
    fail echo.empty_input "status $status, files $(files), stderr '$err'"
fi

fresh
mkdir sub
printf 'through a pipe\n' | run echo text=/dev/stdin copy=sub/piped
if [ "$status" = 0 ] && [ "$(cat sub/piped 2>/dev/null)" = "through a pipe" ] &&
    [ "$(ls -A sub)" = piped ]; then
    pass echo.pipe_into_subdirectory
else
    fail echo.pipe_into_subdirectory "status $status, sub holds '$(ls -A sub)', stderr '$err'"
fi

fresh
run echo --help
case $out in
"usage: $img/echo text=PATH copy=PATH") [ "$status" = 0 ] && pass echo.help || fail echo.help "status $status" ;;
*) fail echo.help "stdout '$out'" ;;
esac
run echo --kernel-help
case $out in
"usage: $img/echo text=PATH copy=PATH
kernel options"*"--cores N"*"--store DIR"*"--force"*"--verify"*"--trace FILE"*) [ "$status" = 0 ] && pass echo.kernel_help || fail echo.kernel_help "status $status" ;;
*) fail echo.kernel_help "stdout '$out'" ;;
esac

# ---- panics: the line, 101, the console flushed, nothing committed
for mode in bounds overflow divide min user; do
    case $mode in
    bounds) want="boom.loam:3:7: panic: index 10 out of range for length 3" ;;
    overflow) want="boom.loam:4:9: panic: integer overflow" ;;
    divide) want="boom.loam:5:11: panic: division by zero" ;;
    min) want="boom.loam:6:1: panic: index -9223372036854775808 out of range for length 0" ;;
    user) want="boom.loam:7:5: panic: the user said so" ;;
    esac
    fresh
    run boom copy=copy mode=$mode
    if [ "$status" != 101 ]; then
        fail "panic.$mode" "status $status, want 101"
    elif [ "$err" != "$want" ]; then
        fail "panic.$mode" "stderr '$err', want '$want'"
    elif [ "$out" != "before the panic" ]; then
        fail "panic.$mode" "stdout '$out'"
    elif [ -n "$(files)" ] || [ -n "$(stored)" ]; then
        fail "panic.$mode" "left files: $(files), in the store: $(stored)"
    else
        pass "panic.$mode"
    fi
done

fresh
run arena oom=false
[ "$status" = 0 ] && [ "$out" = "arena ok" ] && [ -z "$err" ] &&
    pass arena.alloc_and_tls || fail arena.alloc_and_tls "status $status, stdout '$out', stderr '$err'"
run arena oom=true
[ "$status" = 101 ] && [ "$err" = "arena: panic: out of memory" ] &&
    pass arena.out_of_memory || fail arena.out_of_memory "status $status, stderr '$err'"

# ---- a stack overflow is a panic; a termination signal deletes temporaries
fresh
run stuck copy=copy how=recurse
[ "$status" = 101 ] && [ "$err" = "stuck: panic: stack overflow" ] && [ -z "$(files)" ] && no_temporaries &&
    pass panic.stack_overflow || fail panic.stack_overflow "status $status, stderr '$err', files $(files)"

fresh
"$img/stuck" copy=copy how=spin >/dev/null 2>&1 &
pid=$!
tries=0
while [ -z "$(stored)" ] && [ $tries -lt 100 ]; do
    sleep 0.1 2>/dev/null || sleep 1
    tries=$((tries + 1))
done
during=$(stored)
kill -TERM $pid
wait $pid
status=$?
case $during in
*.tmp.*) if [ "$status" = 143 ] && [ -z "$(files)" ] && [ -z "$(stored)" ]; then
    pass signal.term_discards_outputs
else
    fail signal.term_discards_outputs "status $status, left $(files), in the store $(stored)"
fi ;;
*) kill -KILL $pid 2>/dev/null
    fail signal.term_discards_outputs "while running, the directory held '$during'" ;;
esac

# ---- two tasks: one spins (yielding) until the other tells it to stop.
# On one core, the spinner's yields must let the root run; on two, the
# spinner starts on the other core while the root waits, and the image
# must end (this hung in one run of four before wake-ups were fenced:
# each worker's futex sleep can race a push, so it runs 20 times).
fresh
run spin --cores 1
[ "$status" = 0 ] && [ "$out" = "spinner ran, root finished" ] &&
    pass scheduler.spinner_does_not_block_root || fail scheduler.spinner_does_not_block_root "status $status, stdout '$out', stderr '$err'"
bad=
for i in $(seq 20); do
    run spin --cores 2
    [ "$status" = 0 ] && [ "$out" = "spinner ran, root finished" ] || { bad="run $i: status $status, stdout '$out', stderr '$err'"; break; }
done
[ -z "$bad" ] && pass scheduler.spinner_two_cores || fail scheduler.spinner_two_cores "$bad"

# ---- every binding error: exit 2, one line naming the problem, nothing written
# binding_error NAME IMAGE 'expected substring' ARGS...
binding_error() {
    name=$1 image=$2 want=$3
    shift 3
    fresh
    printf 'abc' >in
    printf 'keep' >exists
    before=$(files)
    run "$image" "$@"
    if [ "$status" != 2 ]; then
        fail "bind.$name" "status $status, want 2 (stderr '$err')"
    elif [ "$(lines "$err")" != 1 ]; then
        fail "bind.$name" "stderr has $(lines "$err") lines: '$err'"
    elif case $err in "$image: error: "*"$want"*) false ;; *) true ;; esac then
        fail "bind.$name" "stderr '$err', want '$image: error: ...$want...'"
    elif [ -n "$out" ]; then
        fail "bind.$name" "stdout '$out'"
    elif [ "$(files)" != "$before" ] || [ "$(cat exists)" != keep ]; then
        fail "bind.$name" "files changed: $(files)"
    else
        pass "bind.$name"
    fi
}

usage="run as $img/echo text=PATH copy=PATH"
binding_error no_arguments echo "missing binding for 'text' (in Blob): $usage"
binding_error missing_output echo "missing binding for 'copy' (out Blob): $usage" text=in
binding_error unknown_name echo "task 'echo' has no parameter 'cpy': $usage" text=in cpy=x
binding_error bare_argument echo "argument 'out' is not a binding NAME=VALUE: $usage" text=in out
binding_error bound_twice echo "'text' (in Blob) is bound twice" text=in text=in copy=x
binding_error missing_input echo "cannot read input 'text' (in Blob) from 'nope': no such file or directory" text=nope copy=x
binding_error input_is_directory echo "from '.': is a directory" text=. copy=x
binding_error output_exists echo "output 'copy' (out Blob) would overwrite 'exists', which already exists" text=in copy=exists
binding_error output_is_input echo "would overwrite 'in'" text=in copy=in
binding_error output_directory_missing echo "cannot be created at 'nodir/x': no such file or directory" text=in copy=nodir/x
binding_error empty_output_path echo "'copy' (out Blob) needs a path, as in copy=PATH" text=in copy=
binding_error empty_input_path echo "'text' (in Blob) needs a path" text= copy=x
good="n=1 x=1 flag=false who=me files=in report=r log=l"
binding_error malformed_int params "'n' (Int) must be a whole number" n=12x x=1 flag=true who=me files=in report=r log=l
binding_error int_overflow params "not '9223372036854775808'" n=9223372036854775808 x=1 flag=true who= files= report=r log=l
binding_error empty_int params "'n' (Int) must be a whole number" n= x=1 flag=true who= files= report=r log=l
binding_error malformed_float params "'x' (Float) must be a number like 2.5 or -1e-3, not '1e'" n=1 x=1e flag=true who= files= report=r log=l
binding_error malformed_bool params "'flag' (Bool) must be true or false, not 'yes'" n=1 x=1 flag=yes who= files= report=r log=l
binding_error list_item_missing params "cannot read input 'files' (in [Blob]) from 'nope'" n=1 x=1 flag=true who= files=in,nope report=r log=l
binding_error same_output_twice params "outputs 'report' and 'log' are both bound to 'r'" n=1 x=1 flag=true who= files= report=r log=r
binding_error missing_list params "missing binding for 'files' (in [Blob])" n=1 x=1 flag=true who= report=r log=l
binding_error unknown_option echo "unknown kernel option '--core' (see --kernel-help)" --core 2 text=in copy=x
binding_error bad_cores echo "'--cores' must be a whole number from 1 to 256, not '0'" --cores 0 text=in copy=x
binding_error cores_without_value echo "kernel option '--cores' needs a value" text=in copy=x --cores
binding_error force_with_value echo "kernel option '--force' takes no value" --force=yes text=in copy=x
binding_error empty_store echo "kernel option '--store' needs a path" --store= text=in copy=x

# ---- values of every kind reach the task
fresh
printf 'abc' >a
: >e
printf '12345' >b
run params n=-9223372036854775808 x=2.5 flag=true "who=a b=c" files=a,e files=b, report=r log=l
want="n=-9223372036854775808 x*1000=2500 flag=true who=a b=c files=3:3,0,5"
if [ "$status" = 0 ] && [ "$(cat r)" = "$want" ] && [ "$(cat l)" = log ]; then
    pass params.values
else
    fail params.values "status $status, report '$(cat r 2>/dev/null)', stderr '$err'"
fi
run params n=+7 x=-.5e1 flag=false who= files= report=r2 log=l2
want="n=7 x*1000=-5000 flag=false who= files=0"
[ "$status" = 0 ] && [ "$(cat r2)" = "$want" ] &&
    pass params.signs_and_empty_list || fail params.signs_and_empty_list "status $status, report '$(cat r2 2>/dev/null)', stderr '$err'"

# ---- a store that cannot be made: one line naming it, exit 1, nothing left
fresh
printf 'abc' >in
printf 'x' >file
run echo --store file/store text=in copy=c
case $err in
"loam: error: cannot create output 'copy' (object "*"...) in the store 'file/store': a component of the path is not a directory")
    [ "$status" = 1 ] && [ "$(files)" = "file in " ] &&
        pass io.store_unusable || fail io.store_unusable "status $status, files $(files)" ;;
*) fail io.store_unusable "status $status, stderr '$err'" ;;
esac

# ---- backpressure: a producer that never yields is suspended in
# __loam_request when the pool is exhausted, and the other task on the same
# core finishes meanwhile (flood.c explains how it tells); 64 MiB go
# through a pool of 1 MiB, and no more than that is ever in use.
fresh
# One 64 KiB buffer in flight for the output (--task-pool), so a request
# waits unless the I/O thread has already written the previous chunk.
run flood --cores 1 --pool 1048576 --task-pool 65536 mb=64 data=d report=r
size=$(wc -c <d 2>/dev/null | tr -d ' ')
report=$(cat r 2>/dev/null)
case $report in
"suspended: 0,"*) suspended=no ;;
"suspended: "[0-9]*", ticker finished first: yes, peak pool: "*) suspended=yes ;;
*) suspended=no ;;
esac
peak=$(printf '%s\n' "$report" | sed -n 's/.*peak pool: \([0-9]*\) KiB$/\1/p')
if [ "$status" = 0 ] && [ $suspended = yes ] && [ -n "$peak" ] && [ "$peak" -le 1024 ] &&
    [ "$size" = 67108864 ] && [ "$(head -c 30 d)" = abcdefghijklmnopqrstuvwxyzabcd ]; then
    pass io.backpressure_throttles_producer
else
    fail io.backpressure_throttles_producer "status $status, report '$(cat r 2>/dev/null)', size $size, stderr '$err'"
fi

# ---- --trace: Chrome trace-event JSON, one track per core and the I/O thread
fresh
run graph --cores 2 --trace t.json mode=diamond n=0 result=r
tasks=$(grep -o '"name":"[a-z]*","cat":"run"' t.json 2>/dev/null | sort -u | sed 's/"name":"\([a-z]*\)".*/\1/' | tr '\n' ' ')
if [ "$status" = 0 ] && [ "$(head -c 40 t.json)" = '{"displayTimeUnit":"ns","traceEvents":[' ] &&
    [ "$(tail -n 1 t.json)" = ']}' ] && grep -q '"args":{"name":"core 1"}' t.json &&
    grep -q '"args":{"name":"io"}' t.json && grep -q '"name":"commit","cat":"io"' t.json &&
    [ "$tasks" = "add inc main seven twice " ]; then
    if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' t.json; then
        fail trace.chrome_json "not valid JSON"
    else
        pass trace.chrome_json
    fi
else
    fail trace.chrome_json "status $status, tasks '$tasks', stderr '$err'"
fi
binding_error trace_unwritable graph "cannot write the trace to 'nodir/t.json'" --trace nodir/t.json mode=sum n=1 result=r

# ---- isolation: a task cannot open a file, write an input, read an output
for how in open write read none; do
    case $how in
    open) want="escape: panic: system call 257 is not allowed in a task (the kernel does all I/O; see spec/kernel.md)" ;;
    write) want="escape: panic: write to a data object that is read-only (an input, or a committed Ref)" ;;
    read) want="escape: panic: internal error: read of an output of the running task" ;;
    none) want="" ;;
    esac
    fresh
    printf 'secret' >in
    run escape text=in how=$how copy=c
    if [ "$how" = none ]; then
        [ "$status" = 0 ] && [ "$(cat c)" = secret ] && pass isolation.$how || fail isolation.$how "status $status, stderr '$err'"
    elif [ "$status" = 101 ] && [ "$err" = "$want" ] && [ ! -e c ] && [ "$(cat in)" = secret ] && no_temporaries; then
        pass isolation.$how
    else
        fail isolation.$how "status $status, stderr '$err', files $(files)"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
