# pagerank.awk — the oracle of examples/pagerank.loam (tests/images/examples.sh):
# the same formula and order of additions, iterated in memory with doubles.
BEGIN { n = 0; m = 0 }
NF == 2 {
    for (k = 1; k <= 2; k++) if (!($k in idx)) { idx[$k] = n; name[n] = $k; outd[n] = 0; n++ }
    from[m] = idx[$1]; to[m] = idx[$2]; outd[idx[$1]]++; m++
}
END {
    for (v = 0; v < n; v++) r[v] = 1.0 / n
    for (round = 1; ; round++) {
        dangling = 0
        for (v = 0; v < n; v++) if (outd[v] == 0) dangling += r[v]
        for (v = 0; v < n; v++) sum[v] = 0
        for (e = 0; e < m; e++) sum[to[e]] += r[from[e]] / outd[from[e]]
        moved = 0
        for (v = 0; v < n; v++) {
            nr[v] = (1.0 - 0.85) / n + 0.85 * (sum[v] + dangling / n)
            d = nr[v] - r[v]; if (d < 0) d = -d; if (d > moved) moved = d
        }
        for (v = 0; v < n; v++) r[v] = nr[v]
        if (!(moved > 1e-12 && round < 200)) break
    }
    for (v = 0; v < n; v++) { x = int(r[v] * 1e9 + 0.5); printf "%s\t%d.%09d\n", name[v], int(x / 1e9), x % 1000000000 }
}
