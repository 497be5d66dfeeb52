/* fannkuch-redux: the Benchmarks Game pancake-flipping benchmark, the same
 * algorithm and output as fannkuch.loam. Usage: ./fannkuch n=7. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long fannkuch(long n, long *checksum_out) {
    long *perm = calloc(n, sizeof *perm), *perm1 = calloc(n, sizeof *perm1),
         *count = calloc(n, sizeof *count);
    for (long i = 0; i < n; i++) perm1[i] = i;
    long max_flips = 0, checksum = 0, perm_count = 0, r = n;
    for (;;) {
        while (r != 1) {
            count[r - 1] = r;
            r -= 1;
        }
        for (long i = 0; i < n; i++) perm[i] = perm1[i];
        long flips = 0;
        long k = perm[0];
        while (k != 0) {
            /* flip the first k + 1 elements */
            long i = 0, j = k;
            while (i < j) {
                long t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                i += 1;
                j -= 1;
            }
            flips += 1;
            k = perm[0];
        }
        if (flips > max_flips) max_flips = flips;
        if (perm_count % 2 == 0) checksum += flips; else checksum -= flips;
        /* the next permutation: rotate the first r + 1 elements until a
         * counter is still positive */
        for (;;) {
            if (r == n) {
                *checksum_out = checksum;
                return max_flips;
            }
            long perm0 = perm1[0];
            for (long i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r] -= 1;
            if (count[r] > 0) break;
            r += 1;
        }
        perm_count += 1;
    }
}

int main(int argc, char **argv) {
    const char *arg = argc > 1 ? argv[1] : "n=7";
    if (strncmp(arg, "n=", 2) == 0) arg += 2;
    long n = atol(arg), checksum;
    long max_flips = fannkuch(n, &checksum);
    printf("%ld\nPfannkuchen(%ld) = %ld\n", checksum, n, max_flips);
    return 0;
}
