#!/bin/sh
# examples.sh LOAM SOURCE_DIR — builds examples/wordcount.loam, sort.loam and
# grep.loam and compares what they write on generated inputs with independent
# oracles made of coreutils (tr, sort, uniq, grep, awk). Inputs are
# deterministic: a Park–Miller generator in awk (exact in doubles) with a
# fixed seed, so every run sees the same bytes.
set -u
loam=$1
src=$2
case $loam in /*) ;; *) loam=$(pwd)/$loam ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
fail=0
check() { # NAME WANT GOT
    if cmp -s "$2" "$3"; then
        echo "PASS $1 ($(wc -l < "$2") lines)"
    else
        echo "FAIL $1"
        diff "$2" "$3" | head -10 | sed 's/^/  /'
        fail=1
    fi
}
build() { # NAME
    if ! "$loam" build "$src/examples/$1.loam" -o "$tmp/$1" > "$tmp/$1.build" 2>&1; then
        sed 's/^/  | /' "$tmp/$1.build" | head -20
        echo "FAIL $1: does not build"
        fail=1
        return 1
    fi
}

# --- wordcount: 20,000 words from a fixed vocabulary, 1 to 12 words a line,
# separated by one to three spaces, with some empty and blank-only lines.
awk 'BEGIN {
    n = split("the of and a to in is was that it he for as with his on be at by I had not are but from THE The zebra apple Apple x y z aa ab abc whale sea ship ahab moby-dick it'"'"'s", v, " ");
    seed = 42;
    words = 0;
    while (words < 20000) {
        seed = (seed * 16807) % 2147483647;
        k = 1 + seed % 12;
        line = "";
        for (i = 0; i < k && words < 20000; i++) {
            seed = (seed * 16807) % 2147483647;
            w = v[1 + seed % n];
            seed = (seed * 16807) % 2147483647;
            sep = substr("   ", 1, 1 + seed % 3);
            line = (i == 0 ? "" : line sep) w;
            words++;
        }
        print line;
        seed = (seed * 16807) % 2147483647;
        if (seed % 17 == 0) print "";
        if (seed % 19 == 0) print "   ";
    }
}' > "$tmp/text.txt"
if build wordcount; then
    (cd "$tmp" && ./wordcount text=text.txt counts=counts.tsv) || { echo "FAIL wordcount: exit $?"; fail=1; }
    tr -s ' \n' '\n\n' < "$tmp/text.txt" | grep -v '^$' | sort | uniq -c | awk '{print $2"\t"$1}' | sort > "$tmp/counts.want"
    total=$(awk -F '\t' '{ s += $2 } END { print s }' "$tmp/counts.tsv" 2>/dev/null)
    [ "$total" = 20000 ] || { echo "FAIL wordcount: counts add up to '$total', not 20000"; fail=1; }
    check wordcount "$tmp/counts.want" "$tmp/counts.tsv"
fi

# --- sort: 5,000 integers (negatives, duplicates, the Int extremes), with
# blank lines and spaces around some numbers.
awk 'BEGIN {
    seed = 7;
    print "9223372036854775807";
    print "  -9223372036854775808  ";
    print "0";
    for (i = 0; i < 5000; i++) {
        seed = (seed * 16807) % 2147483647;
        x = seed % 2000001 - 1000000;
        seed = (seed * 16807) % 2147483647;
        if (seed % 5 == 0) x = x % 50;
        seed = (seed * 16807) % 2147483647;
        if (seed % 11 == 0) print "";
        else if (seed % 13 == 0) print "  " x " ";
        else print x;
    }
}' > "$tmp/numbers.txt"
if build sort; then
    (cd "$tmp" && ./sort numbers=numbers.txt sorted=sorted.txt) || { echo "FAIL sort: exit $?"; fail=1; }
    sed 's/^ *//; s/ *$//' "$tmp/numbers.txt" | grep -v '^$' | sort -n > "$tmp/sorted.want"
    check sort "$tmp/sorted.want" "$tmp/sorted.txt"
fi

# --- grep: the matching lines with their numbers, "N: line"; grep -n writes
# "N:line". Case-sensitive and ignore_case=true (ASCII, as Str.lower()).
if build grep; then
    for pat in whale Whale "the sea" x zzz; do
        for ic in false true; do
            rm -f "$tmp/matches.txt"
            (cd "$tmp" && ./grep text=text.txt "pattern=$pat" ignore_case=$ic matches=matches.txt) || { echo "FAIL grep '$pat' $ic: exit $?"; fail=1; }
            opt=""
            [ "$ic" = true ] && opt=-i
            grep -n -F $opt -- "$pat" "$tmp/text.txt" | sed 's/^\([0-9]*\):/\1: /' > "$tmp/matches.want"
            check "grep pattern='$pat' ignore_case=$ic" "$tmp/matches.want" "$tmp/matches.txt"
        done
    done
fi
# --- mapreduce (spawn, tree reduction, delegation): the text cut into seven
# documents, counted in parallel and merged pairwise; against the same
# coreutils oracle as wordcount, over all documents at once. Then 0 and 1
# documents, and --cores 1 against --cores 2 (identical bytes).
if build mapreduce; then
    split -n l/7 -d "$tmp/text.txt" "$tmp/doc."
    docs=$(cd "$tmp" && ls doc.* | tr '\n' ',' | sed 's/,$//')
    (cd "$tmp" && ./mapreduce --store=store.mr "docs=$docs" total=total.tsv) || { echo "FAIL mapreduce: exit $?"; fail=1; }
    check "mapreduce 7 documents" "$tmp/counts.want" "$tmp/total.tsv"
    (cd "$tmp" && ./mapreduce --cores 1 --store=store.mr1 "docs=$docs" total=total1.tsv) || { echo "FAIL mapreduce --cores 1: exit $?"; fail=1; }
    check "mapreduce --cores 1 = --cores 2" "$tmp/total.tsv" "$tmp/total1.tsv"
    (cd "$tmp" && ./mapreduce --store=store.mr0 docs= total=empty.tsv) || { echo "FAIL mapreduce 0 documents: exit $?"; fail=1; }
    : > "$tmp/empty.want"
    check "mapreduce 0 documents" "$tmp/empty.want" "$tmp/empty.tsv"
    (cd "$tmp" && ./mapreduce --store=store.mr.1 docs=doc.00 total=one.tsv) || { echo "FAIL mapreduce 1 document: exit $?"; fail=1; }
    tr -s ' \n' '\n\n' < "$tmp/doc.00" | grep -v '^$' | sort | uniq -c | awk '{print $2"\t"$1}' | sort > "$tmp/one.want"
    check "mapreduce 1 document" "$tmp/one.want" "$tmp/one.tsv"
fi

# --- mergesort (recursive spawn): the sort input at depths 0, 3 and 6,
# against sort -n.
if build mergesort; then
    for depth in 0 3 6; do
        (cd "$tmp" && ./mergesort --store=store.ms$depth numbers=numbers.txt depth=$depth sorted=ms$depth.txt) || { echo "FAIL mergesort depth=$depth: exit $?"; fail=1; }
        check "mergesort depth=$depth" "$tmp/sorted.want" "$tmp/ms$depth.txt"
    done
fi

# --- pagerank (a data-dependent chain of rounds): a random graph of 60
# nodes with a node without out-edges, against the awk oracle.
awk 'BEGIN {
    seed = 11;
    for (i = 0; i < 400; i++) {
        seed = (seed * 16807) % 2147483647; a = seed % 60;
        seed = (seed * 16807) % 2147483647; b = seed % 60;
        if (a != b) print "n" a " n" b;
    }
    print "sink n3";
}' > "$tmp/edges.txt"
if build pagerank; then
    (cd "$tmp" && ./pagerank --store=store.pr graph=edges.txt ranks=ranks.tsv > pagerank.out) || { echo "FAIL pagerank: exit $?"; fail=1; }
    awk -f "$src/tests/images/pagerank.awk" "$tmp/edges.txt" | sort > "$tmp/ranks.want"
    check pagerank "$tmp/ranks.want" "$tmp/ranks.tsv"
    grep -q '^pagerank: [0-9]* rounds$' "$tmp/pagerank.out" || { echo "FAIL pagerank: no round count"; fail=1; }
fi
exit $fail
