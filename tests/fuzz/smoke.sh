#!/bin/sh
# smoke.sh FUZZER SOURCE_DIR WORK_DIR SECONDS — a short fuzzing run for ctest.
#
# Seeds a fresh corpus in WORK_DIR with every examples/*.loam and
# tests/check/*.loam of the source tree, then runs the libFuzzer harness for
# SECONDS. Exits non-zero (and keeps the crashing input in
# WORK_DIR/artifacts/) when the fuzzer finds a crash, leak, time-out or OOM.
set -eu
if [ $# -ne 4 ]; then
    echo "usage: $0 FUZZER SOURCE_DIR WORK_DIR SECONDS" >&2
    exit 2
fi
fuzzer=$1 src=$2 work=$3 seconds=$4

rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/artifacts"
for f in "$src"/examples/*.loam "$src"/tests/check/*.loam; do
    [ -f "$f" ] && cp "$f" "$work/corpus/"
done
echo "fuzz.smoke: $(ls "$work/corpus" | wc -l | tr -d ' ') seed files, ${seconds}s"

exec "$fuzzer" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$src/tests/fuzz/loam.dict" \
    -artifact_prefix="$work/artifacts/" \
    -print_final_stats=1 \
    "$work/corpus"
