#!/bin/sh
# Install the Debian packages Loam needs, and only those that are missing.
# Idempotent: when everything is present it runs no apt-get at all.
# Uses sudo only when not already root.
set -eu

PACKAGES="cmake make bison llvm-16-dev clang-16 lld-16 libffi-dev qemu-system-x86 libclang-rt-16-dev zlib1g-dev libzstd-dev libncurses-dev hyperfine"
# `scripts/deps.sh bench` (make bench) also needs gcc (the static hello it
# compares image sizes with) and gnuplot (the chart of the report).
if [ "${1:-}" = bench ]; then
    PACKAGES="$PACKAGES gcc libc6-dev gnuplot-nox"
fi

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
