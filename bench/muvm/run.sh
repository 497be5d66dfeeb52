#!/bin/sh
# bench/muvm/run.sh [LOAM] — μVM size and boot time (bench/muvm/README.md).
# Not part of `make test`: it downloads Debian's kernel package (never
# installed: apt-get download + dpkg -x into bench/out/linux/) and boots
# guests under TCG for a minute or so. Writes bench/out/muvm/*.
set -eu
LOAM=${1:-build/bin/loam}
cd "$(dirname "$0")/../.."
case $LOAM in /*) ;; *) LOAM=$(pwd)/$LOAM ;; esac
out=bench/out/muvm
mkdir -p "$out" bench/out/linux
RUNS=${RUNS:-10}

echo "== image size: hello as a μVM (target: at most 64 KiB)"
printf 'task main() {\n    print("hello from loam");\n}\n' > "$out/hello.loam"
"$LOAM" build --target muvm "$out/hello.loam" -o "$out/hello.muvm"
"$LOAM" build "$out/hello.loam" -o "$out/hello.hosted"
printf '   μVM image    %6d bytes\n   hosted image %6d bytes\n' "$(wc -c < "$out/hello.muvm")" "$(wc -c < "$out/hello.hosted")"

echo "== Debian's Linux kernel (apt-get download linux-image-amd64's dependency, dpkg -x)"
kernel=$(ls bench/out/linux/root/boot/vmlinuz-* 2>/dev/null | head -1 || true)
if [ -z "$kernel" ]; then
    (cd bench/out/linux &&
        apt-get download linux-image-amd64 2>/dev/null &&
        dep=$(dpkg-deb -f linux-image-amd64_*.deb Depends | sed 's/[ ,].*//') &&
        apt-get download "$dep" 2>/dev/null &&
        dpkg -x "$dep"_*.deb root)
    kernel=$(ls bench/out/linux/root/boot/vmlinuz-* | head -1)
fi
echo "   $kernel"

# A minimal initramfs: /dev/console and a static /init that prints one
# line and exits through isa-debug-exit like the μVM (newc cpio, written
# here: Debian's base system has no cpio).
clang-16 -static -nostdlib -ffreestanding -fno-stack-protector -O2 -o "$out/init" bench/muvm/linux_init.c
ino=1
entry() {
    name=$1 mode=$2 major=$3 minor=$4 file=${5:-}
    size=0
    [ -n "$file" ] && size=$(wc -c < "$file")
    namesize=$((${#name} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        $ino "$mode" 0 0 1 0 "$size" 0 0 "$major" "$minor" $namesize 0
    printf '%s\0' "$name"
    pad=$(((4 - (110 + namesize) % 4) % 4))
    [ $pad -eq 0 ] || head -c $pad /dev/zero
    if [ -n "$file" ]; then
        cat "$file"
        pad=$(((4 - size % 4) % 4))
        [ $pad -eq 0 ] || head -c $pad /dev/zero
    fi
    ino=$((ino + 1))
}
{
    entry dev $((0040755)) 0 0
    entry dev/console $((0020600)) 5 1
    entry init $((0100755)) 0 0 "$out/init"
    entry TRAILER!!! 0 0 0
} > "$out/initrd.cpio"

# The one QEMU command line both guests boot under (TCG; microvm with the
# legacy PIT and PIC, which Linux needs under TCG to calibrate its clocks,
# and no ACPI). The Linux guest adds its initramfs and kernel arguments.
qemu="qemu-system-x86_64 -machine microvm,acpi=off,pit=on,pic=on -accel tcg -m 512 -nodefaults -no-user-config -nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4"
muvm_cmd="$qemu -serial file:$out/muvm.console -kernel $out/hello.muvm"
linux_cmd="$qemu -serial file:$out/linux.console -kernel $kernel -initrd $out/initrd.cpio -append 'console=ttyS0 quiet panic=-1 no_timer_check lpj=4000000 tsc=reliable'"

echo "== check: both guests print their line and exit with status 0 (QEMU: 3)"
status=0
sh -c "$muvm_cmd" || status=$?
grep -q "hello from loam" "$out/muvm.console" && [ $status = 3 ] || { echo "bench: the μVM did not say hello (status $status)" >&2; exit 1; }
status=0
sh -c "$linux_cmd" || status=$?
grep -q "hello from linux" "$out/linux.console" && [ $status = 3 ] || { echo "bench: the Linux guest did not say hello (status $status)" >&2; exit 1; }
echo "   ok"

echo "== boot to exit, whole qemu-system-x86_64 process, $RUNS runs each"
hyperfine -N -i --warmup 1 --runs "$RUNS" --export-csv "$out/boot.csv" -n "muvm hello" "$muvm_cmd" -n "linux hello" "$linux_cmd"
awk -F, 'NR == 2 { m = $2 } NR == 3 { l = $2 } END { printf "   μVM %.3f s, Linux %.3f s: the μVM boots to exit %.1fx faster (target: 20x)\n", m, l, l / m }' "$out/boot.csv"

echo "== guest time from PVH entry to the task's first instruction"
cc_flags="-std=c17 -ffreestanding -fno-stack-protector -fno-pie -fno-pic -mno-red-zone -O2 -Iruntime -Ikernel-lib -Itests/runtime"
clang-16 -c $cc_flags -o "$out/first.o" bench/muvm/first.c
ld.lld-16 -static --no-pie --gc-sections --build-id=none -T build/lib/pvh.ld "$out/first.o" build/lib/libloamrt-pvh.a -o "$out/first.muvm"
clang-16 -O2 -o "$out/tsc" bench/muvm/tsc.c
mhz=$("$out/tsc")
: > "$out/first.cycles"
for i in 1 2 3 4 5 6 7 8 9; do
    $qemu -serial file:"$out/first.console" -kernel "$out/first.muvm" || true
    tr '\n' ' ' < "$out/first.console" >> "$out/first.cycles"
    echo >> "$out/first.cycles"
done
sort -n "$out/first.cycles" | awk -v mhz="$mhz" '{ c[NR] = $1; k[NR] = $2 } END {
    m = int((NR + 1) / 2)
    printf "   median of %d boots: %d cycles = %.0f µs at the host TSC rate (%d MHz; TCG passes the host counter through),\n", NR, c[m], c[m] / mhz, mhz
    printf "   of which PVH start-up to lk_main %d cycles (%.0f µs), the kernel from lk_main to the task the rest\n", k[m], k[m] / mhz }'

echo "== output throughput: 256 MiB through one output DO (loam run --vm, TCG)"
if [ -x build/tests/vm/big ]; then
    rm -f "$out/big0" "$out/big256"
    t0=$(date +%s%N)
    LOAM_QEMU_ACCEL=tcg "$LOAM" run --vm build/tests/vm/big mib=0 out="$out/big0"
    t1=$(date +%s%N)
    LOAM_QEMU_ACCEL=tcg "$LOAM" run --vm build/tests/vm/big mib=256 out="$out/big256"
    t2=$(date +%s%N)
    echo "$t0 $t1 $t2" | awk '{ e = ($2 - $1) / 1e9; f = ($3 - $2) / 1e9; printf "   empty run %.2f s, 256 MiB run %.2f s: %.0f MB/s (guest filling the bytes included)\n", e, f, 268.435456 / (f - e) }'
    rm -f "$out/big0" "$out/big256"
else
    echo "   (build/tests/vm/big missing: run 'make build' first)"
fi
