#!/bin/sh
# make demo: check every bundled example, build wordcount into an image, run
# it on a bundled text and show the most frequent words; then show what a
# capability error looks like.
set -eu
LOAM=${1:-build/bin/loam}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== loam check examples/*.loam"
"$LOAM" check examples/*.loam
for f in examples/*.loam; do echo "   ok  $f"; done

echo
echo "== loam build examples/wordcount.loam -o $tmp/wordcount"
"$LOAM" build examples/wordcount.loam -o "$tmp/wordcount"
ls -l "$tmp/wordcount" | awk '{print "   image: " $5 " bytes, static, no libc"}'
"$LOAM" inspect "$tmp/wordcount" | sed 's/^/   /'

echo
echo "== $tmp/wordcount text=examples/data/loam.txt counts=$tmp/counts.tsv"
"$tmp/wordcount" text=examples/data/loam.txt counts="$tmp/counts.tsv"
echo "   the ten most frequent words:"
sort -t '	' -k2,2nr -k1,1 "$tmp/counts.tsv" | head -10 | awk -F '\t' '{printf "   %6d  %s\n", $2, $1}'

echo
echo "== a task that writes to its input (rejected, as it should be):"
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
