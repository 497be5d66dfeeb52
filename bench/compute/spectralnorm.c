/* spectral-norm: the Benchmarks Game spectral norm, the same algorithm and
 * output as spectralnorm.loam. Usage: ./spectralnorm n=100. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double eval_a(long i, long j) {
    return 1.0 / (double)((i + j) * (i + j + 1) / 2 + i + 1);
}

/* au = A u */
static void times_a(long n, const double *u, double *au) {
    for (long i = 0; i < n; i++) {
        double sum = 0.0;
        for (long j = 0; j < n; j++) sum += eval_a(i, j) * u[j];
        au[i] = sum;
    }
}

/* au = Aᵀ u */
static void times_at(long n, const double *u, double *au) {
    for (long i = 0; i < n; i++) {
        double sum = 0.0;
        for (long j = 0; j < n; j++) sum += eval_a(j, i) * u[j];
        au[i] = sum;
    }
}

/* atau = AᵀA u, through tmp */
static void times_ata(long n, const double *u, double *atau, double *tmp) {
    times_a(n, u, tmp);
    times_at(n, tmp, atau);
}

/* Nine decimals, rounded half up on x * 1e9, as fixed9 in spectralnorm.loam. */
static void print_fixed9(double x) {
    long long v = (long long)floor(fabs(x) * 1e9 + 0.5);
    printf("%s%lld.%09lld\n", x < 0.0 ? "-" : "", v / 1000000000, v % 1000000000);
}

int main(int argc, char **argv) {
    const char *arg = argc > 1 ? argv[1] : "n=100";
    if (strncmp(arg, "n=", 2) == 0) arg += 2;
    long n = atol(arg);
    double *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v), *tmp = malloc(n * sizeof *tmp);
    for (long i = 0; i < n; i++) u[i] = 1.0, v[i] = 0.0, tmp[i] = 0.0;
    for (int round = 0; round < 10; round++) {
        times_ata(n, u, v, tmp);
        times_ata(n, v, u, tmp);
    }
    double vbv = 0.0, vv = 0.0;
    for (long i = 0; i < n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    print_fixed9(sqrt(vbv / vv));
    return 0;
}
