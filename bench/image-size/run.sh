#!/bin/sh
# run.sh [LOAM_BINARY] — the size of a hello-world image.
#
# Builds hello.loam with `loam build` (-O2, the default: images are stripped
# unless -g) and hello.c with `gcc -O2 -static` (glibc's printf), runs both,
# checks that they print the same line, and prints both sizes in bytes,
# the C one also after `strip`. Target: the Loam image at most 32 KiB.
# Builds loam with `make build` if it is missing. Not part of `make test`.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
loam=${1:-$root/build/bin/loam}
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
if [ ! -x "$loam" ]; then
    echo "$loam is missing: running make build"
    (cd "$root" && make build)
fi
out=$root/bench/out/image-size
mkdir -p "$out"

"$loam" build -O2 "$here/hello.loam" -o "$out/hello-loam"
gcc -O2 -static -o "$out/hello-c" "$here/hello.c"
strip -o "$out/hello-c-stripped" "$out/hello-c"

l=$("$out/hello-loam")
c=$("$out/hello-c")
if [ "$l" != "$c" ]; then
    echo "FAIL: the images print different lines: '$l' and '$c'" >&2
    exit 1
fi
echo "both print: $l"

size() { wc -c < "$1" | tr -d ' '; }
loam_size=$(size "$out/hello-loam")
printf '%-32s %9s bytes\n' "loam build -O2 hello.loam" "$loam_size"
printf '%-32s %9s bytes\n' "gcc -O2 -static hello.c" "$(size "$out/hello-c")"
printf '%-32s %9s bytes\n' "  the same, stripped" "$(size "$out/hello-c-stripped")"
if [ "$loam_size" -le 32768 ]; then verdict=met; else verdict="not met"; fi
echo "target: Loam hello <= 32768 bytes (32 KiB): $verdict"
