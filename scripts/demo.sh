#!/bin/sh
# make demo: check every bundled example, build wordcount into an image, run
# it on a bundled text and show the most frequent words; boot the same task
# as a μVM and time it; then show what a capability error looks like.
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
echo "== the same task as a μVM: loam build --target muvm, then boot it under QEMU"
"$LOAM" build --target muvm examples/wordcount.loam -o "$tmp/wordcount.vm"
ls -l "$tmp/wordcount.vm" | awk '{print "   image: " $5 " bytes, boots by PVH under qemu-system-x86_64 -machine microvm"}'
start=$(date +%s%N)
"$LOAM" run --vm --timeout 60 "$tmp/wordcount.vm" text=examples/data/loam.txt counts="$tmp/counts.vm.tsv"
end=$(date +%s%N)
echo "   boot to exit, whole QEMU process included: $(( (end - start) / 1000000 )) ms"
if cmp -s "$tmp/counts.tsv" "$tmp/counts.vm.tsv"; then
    echo "   counts identical to the hosted run's"
else
    echo "demo: the μVM's counts differ from the hosted image's" >&2
    exit 1
fi

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
