#!/bin/sh
# loam.sh LOAM ROOT — μVM images built from Loam sources: `loam build
# --target muvm` (image size, manifest), `loam run --vm` against the hosted
# image on the bundled wordcount example (byte-identical output), and the
# command-line errors of both.
#
# Prints PASS/FAIL per check and "N passed, M failed"; exits 1 on failure.
set -u
loam=$1
root=$2
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
case $root in /*) ;; *) root=$(pwd)/$root ;; esac
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
export LOAM_QEMU_ACCEL=tcg
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; sed 's/^/  | /' out err 2>/dev/null | head -8; failed=$((failed + 1)); }

printf 'task main() {\n    print("hello, μVM");\n}\n' > hello.loam
"$loam" build --target muvm hello.loam -o hello.img > out 2> err
size=$(wc -c < hello.img 2>/dev/null) || size=0
# design target: a hello μVM image of at most 64 KiB
if [ -s hello.img ] && [ "$size" -le 65536 ]; then pass build_hello_size; else fail build_hello_size "size $size"; fi
"$loam" inspect hello.img > out 2> err
if grep -qx "target x86_64-unknown-none-elf muvm" out; then pass inspect_target; else fail inspect_target "no muvm target line"; fi
"$loam" run --vm hello.img > out 2> err
if [ $? = 0 ] && [ "$(cat out)" = "hello, μVM" ] && [ ! -s err ]; then pass run_vm_image; else fail run_vm_image "status $?"; fi
"$loam" run --vm --timeout 60 hello.loam > out 2> err
if [ $? = 0 ] && [ "$(cat out)" = "hello, μVM" ]; then pass run_vm_source; else fail run_vm_source "status $?"; fi

# The same program, hosted and in the μVM: byte-identical output.
"$loam" build "$root/examples/wordcount.loam" -o wc.hosted > out 2> err &&
    ./wc.hosted text="$root/examples/data/loam.txt" counts=hosted.tsv > out 2> err
"$loam" run --vm --timeout 60 "$root/examples/wordcount.loam" text="$root/examples/data/loam.txt" counts=vm.tsv > out 2> err
status=$?
if [ $status = 0 ] && [ -s hosted.tsv ] && cmp -s hosted.tsv vm.tsv && [ -z "$(ls -A | grep '\.tmp\.')" ]; then
    pass wordcount_same_as_hosted
else fail wordcount_same_as_hosted "status $status"; fi

# Command-line errors: one line, status 1.
"$loam" build --target arm hello.loam > out 2> err
if [ $? = 1 ] && grep -q "'--target' takes hosted or muvm, not 'arm'" err; then pass bad_target; else fail bad_target "status $?"; fi
"$loam" run --vm wc.hosted > out 2> err
if [ $? = 1 ] && grep -q "'wc.hosted' is not a μVM image: build it with 'loam build --target muvm'" err; then pass hosted_image_refused; else fail hosted_image_refused "status $?"; fi
"$loam" run --timeout 5 hello.loam > out 2> err
if [ $? = 1 ] && grep -q "'--timeout' is for 'loam run --vm'" err; then pass timeout_needs_vm; else fail timeout_needs_vm "status $?"; fi
"$loam" run --vm --timeout soon hello.loam > out 2> err
if [ $? = 1 ] && grep -q "'--timeout' takes a number of seconds" err; then pass timeout_malformed; else fail timeout_malformed "status $?"; fi

LOAM_QEMU=/nonexistent/qemu "$loam" run --vm hello.img > out 2> err
if [ $? = 1 ] && grep -q "^loam: error: QEMU failed: cannot run '/nonexistent/qemu'" err; then pass qemu_missing; else fail qemu_missing "status $?"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
