/* mandelbrot: the Benchmarks Game Mandelbrot set, the same algorithm and
 * output as mandelbrot.loam (a checksum of the bitmap instead of the PBM).
 * Usage: ./mandelbrot n=200. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *arg = argc > 1 ? argv[1] : "n=200";
    if (strncmp(arg, "n=", 2) == 0) arg += 2;
    long n = atol(arg);
    long iterations = 50;
    double limit2 = 2.0 * 2.0;
    double size = (double)n;
    long hash = 0, bytes = 0;
    for (long y = 0; y < n; y++) {
        double ci = 2.0 * (double)y / size - 1.0;
        long bits = 0, bit_count = 0;
        for (long x = 0; x < n; x++) {
            double cr = 2.0 * (double)x / size - 1.5;
            double zr = 0.0, zi = 0.0, tr = 0.0, ti = 0.0;
            long i = 0;
            while (i < iterations && tr + ti <= limit2) {
                zi = 2.0 * zr * zi + ci;
                zr = tr - ti + cr;
                tr = zr * zr;
                ti = zi * zi;
                i += 1;
            }
            bits = bits << 1;
            if (tr + ti <= limit2) bits = bits | 1;
            bit_count += 1;
            if (bit_count == 8 || x == n - 1) {
                bits = bits << (8 - bit_count);
                /* one byte of the bitmap: fold it into a 32-bit hash */
                hash = (hash * 31 + bits) & 0xffffffff;
                bytes += 1;
                bits = 0;
                bit_count = 0;
            }
        }
    }
    printf("P4 %ld %ld: %ld bytes, checksum %ld\n", n, n, bytes, hash);
    return 0;
}
