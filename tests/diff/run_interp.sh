#!/bin/sh
# run_interp.sh LOAM — runs the programs of tests/run through
# `loam run --interp` with tests/run/runner.sh and the same inline
# expectations (ctest run.interp).
# Programs listed in interp_skip.txt depend on being a compiled image (they
# read the image file itself) and are left out.
set -u
loam=$1
here=$(cd "$(dirname "$0")" && pwd)
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for f in "$here"/../run/*.loam; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .loam)
    if grep -qx "$name" "$here/interp_skip.txt"; then continue; fi
    ln -s "$f" "$tmp/$name.loam"
done
sh "$here/../run/runner.sh" "$here/interp_image.sh" "$tmp" --loam="$loam"
