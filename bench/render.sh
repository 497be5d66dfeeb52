#!/bin/sh
# render.sh ROWS RESULTS LOAM QUICK SECONDS — the report of bench/report.sh:
# RESULTS/REPORT.md (machine, command, one table), RESULTS/results.tsv (the
# rows as measured) and RESULTS/ratios.svg (gnuplot: each ratio beside its
# target). ROWS: area, what, loam, peer, unit, ratio, spread, target,
# verdict, tab-separated.
set -eu
rows=$1
results=$2
loam=$3
quick=$4
seconds=$5

cp "$rows" "$results/results.tsv"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
{
    echo "# Loam benchmarks"
    echo
    echo "Produced by \`make bench$( [ "$quick" = 0 ] || echo ' QUICK=1')\` on $(date -u '+%Y-%m-%d %H:%M UTC') in ${seconds} s;"
    echo "every figure below comes from that run (\`bench/report.sh\`)."
    echo
    echo "| machine | |"
    echo "| --- | --- |"
    echo "| CPU | $cpu, $(nproc) cores online |"
    echo "| kernel | $(uname -sr) |"
    echo "| load before the run | $(cut -d' ' -f1-3 /proc/loadavg) |"
    echo "| compilers | $(clang-16 --version | head -1); $(gcc --version | head -1) |"
    echo "| loam | $("$loam" --version 2>&1 | head -1) |"
    echo "| hyperfine | $(hyperfine --version) |"
    echo
    echo "Times are medians of the runs; *spread* is (max − min) / median of the"
    echo "Loam side; *ratio* is Loam / peer (for lines/s and speed-ups, higher is"
    echo "better, and the target says so)."
    echo
    echo "| area | what | Loam | peer | unit | ratio | spread | target | |"
    echo "| --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- |"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$rows"
    echo
    met=$(awk -F'\t' '$9 == "met"' "$rows" | wc -l)
    missed=$(awk -F'\t' '$9 == "missed"' "$rows" | wc -l)
    echo "Targets: $met met, $missed missed."
    if [ "$missed" -gt 0 ]; then
        echo
        echo "Missed:"
        awk -F'\t' '$9 == "missed" { printf "- %s: %s, ratio %s (target %s)\n", $1, $2, $6, $8 }' "$rows"
    fi
    echo
    echo "![ratios against their targets](ratios.svg)"
} > "$results/REPORT.md"

# The chart: one bar per row that has a ratio and a target, the target as a
# point beside it.
awk -F'\t' '$6 != "-" && $8 != "-" { split($8, t, " "); gsub(/"/, "", $2); printf "\"%s\"\t%s\t%s\n", $2, $6, t[2] }' "$rows" > "$results/.chart.dat"
n=$(wc -l < "$results/.chart.dat")
gnuplot <<EOF
set terminal svg size 900,$((120 + n * 26)) font "sans,11" background "white"
set output "$results/ratios.svg"
set title "Loam / peer (bars) and the target (diamonds); from results.tsv"
set style data histogram
set style fill solid 0.6 border -1
set yrange [0:*]
set ytics nomirror
unset xtics
set key top left
set datafile separator "\t"
set xtics rotate by -35 nomirror font ",9"
set bmargin 14
plot "$results/.chart.dat" using 2:xtic(1) title "ratio" lc rgb "#4a7ab5", \
     "" using 0:3 with points pt 13 ps 1.5 lc rgb "#c0392b" title "target"
EOF
rm -f "$results/.chart.dat"
column -t -s "$(printf '\t')" "$rows"
