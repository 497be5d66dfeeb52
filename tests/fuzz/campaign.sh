#!/bin/sh
# campaign.sh BUILD_DIR [SECONDS] — a long fuzzing campaign (`make fuzz`).
#
# Runs BUILD_DIR/bin/fuzz_check (a tree configured with -DLOAM_FUZZ=ON,
# normally build-asan) on one job per CPU for SECONDS (default 600), keeping
# going after a finding. The corpus, tests/fuzz/corpus-run/, persists between
# campaigns and is topped up with the examples and golden tests each time;
# findings (crash-*, leak-*, timeout-*, oom-*) go to tests/fuzz/findings/.
# Both are ignored by git. Exits 1 when there are findings.
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BUILD_DIR [SECONDS]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
fuzzer=$1/bin/fuzz_check
seconds=${2:-600}
if [ ! -x "$fuzzer" ]; then
    echo "$0: no $fuzzer; build it with 'make build-asan' (LOAM_FUZZ=ON)" >&2
    exit 2
fi
corpus=$here/corpus-run
findings=$here/findings
mkdir -p "$corpus" "$findings"
for f in "$src"/examples/*.loam "$src"/tests/check/*.loam; do
    [ -f "$f" ] && cp "$f" "$corpus/"
done
jobs=$(nproc 2>/dev/null || echo 2)
before=$(ls "$findings" | wc -l)

echo "fuzz: $jobs jobs for ${seconds}s; corpus $corpus ($(ls "$corpus" | wc -l | tr -d ' ') files)"
# -fork keeps fuzzing after a crash, a leak or a time-out, and merges what
# each job found into the corpus.
status=0
"$fuzzer" \
    -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict="$here/loam.dict" \
    -artifact_prefix="$findings/" \
    "$corpus" || status=$?

after=$(ls "$findings" | wc -l)
if [ "$after" -gt "$before" ]; then
    echo "fuzz: $((after - before)) new finding(s) in $findings:"
    ls -t "$findings" | head -n $((after - before))
    echo "fuzz: see tests/fuzz/README.md to reproduce and minimise them"
    exit 1
fi
echo "fuzz: no findings (fuzzer exit status $status)"
exit 0
