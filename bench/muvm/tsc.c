/* tsc.c — the host's time stamp counter rate in MHz, measured over 200 ms
 * of CLOCK_MONOTONIC (to turn bench/muvm's guest cycles into time). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    double t0 = now();
    uint64_t c0 = rdtsc();
    while (now() - t0 < 0.2)
        ;
    printf("%.0f\n", (double)(rdtsc() - c0) / (now() - t0) / 1e6);
    return 0;
}
