#!/bin/sh
# run.sh LOAM IMAGEDIR [quick] — boots the hand-written μVM test images of
# IMAGEDIR (tests/vm/*.c, linked with libloamrt-pvh.a) under QEMU's
# microvm with TCG through `loam run --vm`, and checks each one's console,
# exit status and outputs against what the task is written to do. `quick`
# (the sanitizer tree) runs only the boot test and the binding errors.
#
# Prints PASS/FAIL per check and "N passed, M failed"; exits 1 on failure.
set -u
loam=$1
images=$2
quick=${3:-}
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
case $images in /*) ;; *) images=$(pwd)/$images ;; esac
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
export LOAM_QEMU_ACCEL=tcg          # CI machines have no KVM: test what they run
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; sed 's/^/  | /' out err 2>/dev/null | head -8; failed=$((failed + 1)); }

# vm NAME IMAGE ARGS... — runs an image, leaving out, err and $status.
vm() {
    image=$images/$1
    shift
    "$loam" run --vm --argv0=image --timeout 60 "$image" "$@" > out 2> err
    status=$?
}

no_temporaries() { [ -z "$(ls -A | grep '\.tmp\.' | head -1)" ]; }

# hello: the Solo5 contract — a known line, status 0, nothing on stderr.
vm hello
if [ $status = 0 ] && [ "$(cat out)" = "hello from the μVM" ] && [ ! -s err ]; then pass hello; else fail hello "status $status"; fi

# Binding errors are the guest's (core/bind.c), word for word as hosted.
printf 'some text\n' > in.txt
vm echo text=in.txt
if [ $status = 2 ] && grep -qx "image: error: missing binding for 'copy' (out Blob): run as image text=PATH copy=PATH" err && [ ! -s out ]; then
    pass missing_binding
else fail missing_binding "status $status"; fi
vm echo text=in.txt copy=copy.txt extra=1
if [ $status = 2 ] && grep -qx "image: error: task 'echo' has no parameter 'extra': run as image text=PATH copy=PATH" err && [ ! -e copy.txt ] && no_temporaries; then
    pass extra_binding
else fail extra_binding "status $status"; fi
vm echo text=absent.txt copy=copy.txt
if [ $status = 2 ] && grep -qx "image: error: cannot read input 'text' (in Blob) from 'absent.txt': no such file or directory" err && [ ! -e copy.txt ]; then
    pass unreadable_input
else fail unreadable_input "status $status"; fi
[ "$quick" = quick ] && { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

# An input in, the same bytes out (sizes around the sector and buffers).
head -c 300001 /dev/urandom > in.bin
vm echo text=in.bin copy=copy.bin
if [ $status = 0 ] && cmp -s in.bin copy.bin && no_temporaries; then pass echo_copy; else fail echo_copy "status $status"; fi
vm echo text=in.bin copy=copy.bin
if [ $status = 2 ] && grep -q "would overwrite 'copy.bin', which already exists" err; then pass output_exists; else fail output_exists "status $status"; fi

# Panics: the console first, then one line; nothing committed.
vm bounds out=never.txt
if [ $status = 101 ] && [ "$(cat out)" = "before the panic" ] && [ "$(cat err)" = "bounds.loam:3:9: panic: index 7 out of range for length 3" ] &&
    [ ! -e never.txt ] && no_temporaries; then
    pass panic_bounds
else fail panic_bounds "status $status"; fi

# CPU exceptions from the test hook: vector, RIP, fault address.
vm cpu_fault what=ud2
if [ $status = 101 ] && grep -q "^fault: panic: CPU exception 6 (invalid opcode) at rip 0x[0-9a-f]*$" err; then pass exception_invalid_opcode; else fail exception_invalid_opcode "status $status"; fi
vm cpu_fault what=null
if [ $status = 101 ] && grep -q "^fault: panic: CPU exception 14 (page fault) at rip 0x[0-9a-f]*, fault address 0x0$" err; then pass exception_null_page; else fail exception_null_page "status $status"; fi
vm cpu_fault what=stack
if [ $status = 101 ] && [ "$(cat err)" = "fault: panic: stack overflow" ]; then pass stack_overflow; else fail stack_overflow "status $status"; fi

# 64 MiB through one output; the pattern's SHA-256 was computed apart
# (bytes ((i / 4096) + i) mod 251, in Python).
start=$(date +%s.%N)
vm big mib=64 out=big.bin
end=$(date +%s.%N)
if [ $status = 0 ] && [ "$(wc -c < big.bin)" = 67108864 ] &&
    [ "$(sha256sum < big.bin | cut -d' ' -f1)" = 83b8ac6c3cdc6c13ee5f02b041be3ef0337b77bbbb137826f09b23d64e304bdd ]; then
    pass output_64mib
    echo "  64 MiB output: $(echo "$start $end" | awk '{ printf "%.2f s, %.0f MB/s end to end", $2 - $1, 67.108864 / ($2 - $1) }')"
else fail output_64mib "status $status"; fi
rm -f big.bin

# A guest that never exits is stopped by --timeout: status 124, a clear
# line, no QEMU left behind.
before=$(date +%s)
"$loam" run --vm --timeout 3 "$images/spin" > out 2> err
status=$?
took=$(($(date +%s) - before))
if [ $status = 124 ] && grep -qx "loam: error: the μVM did not exit within 3 seconds; stopped it (--timeout)" err && [ $took -lt 10 ]; then
    pass guest_timeout
else fail guest_timeout "status $status after ${took}s"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
