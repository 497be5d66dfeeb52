#!/bin/sh
# make demo: check every bundled example with the freshly built loam, then
# show what a capability error looks like.
set -eu
LOAM=${1:-build/bin/loam}
cd "$(dirname "$0")/.."
echo "== loam check examples/*.loam"
"$LOAM" check examples/*.loam
for f in examples/*.loam; do echo "   ok  $f"; done
echo
echo "== a task that writes to its input (rejected, as it should be):"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/oops.loam" <<'LOAM'
task shout(text: in Blob, loud: out Blob) {
    for line in text.lines() {
        text.print(line.upper());
    }
}
LOAM
if "$LOAM" check "$tmp/oops.loam"; then
    echo "demo: expected an error" >&2
    exit 1
fi
echo
echo "demo: done"
