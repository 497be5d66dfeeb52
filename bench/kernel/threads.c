/* threads MODE N — the baselines, with libc:
 *   pthread N   pthread_create + pthread_join of an empty thread, N times
 *   fork N IMG  fork + execve of the static image IMG (hello), waitpid, N times
 *   futex N     two threads ping-pong through futexes N round trips
 * Prints nanoseconds per operation (per switch for futex). */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *empty(void *arg) { return arg; }

static _Atomic int turn;
static long rounds;

static void fwait(_Atomic int *addr, int val) { syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0); }
static void fwake(_Atomic int *addr) { syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static void *pong(void *arg)
{
    for (long i = 0; i < rounds; i++) {
        while (atomic_load(&turn) != 1)
            fwait(&turn, 0);
        atomic_store(&turn, 0);
        fwake(&turn);
    }
    return arg;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: threads pthread|fork|futex N [IMAGE]\n");
        return 2;
    }
    long n = atol(argv[2]);
    double t0 = now();
    if (strcmp(argv[1], "pthread") == 0) {
        for (long i = 0; i < n; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, empty, NULL) != 0)
                return 1;
            pthread_join(t, NULL);
        }
        printf("%.0f\n", (now() - t0) / n);
    } else if (strcmp(argv[1], "fork") == 0 && argc > 3) {
        char *args[] = {argv[3], NULL};
        for (long i = 0; i < n; i++) {
            pid_t p = fork();
            if (p == 0) {
                freopen("/dev/null", "w", stdout);
                execve(argv[3], args, (char *[]){NULL});
                _exit(127);
            }
            int st;
            waitpid(p, &st, 0);
        }
        printf("%.0f\n", (now() - t0) / n);
    } else if (strcmp(argv[1], "futex") == 0) {
        rounds = n;
        pthread_t t;
        pthread_create(&t, NULL, pong, NULL);
        t0 = now();
        for (long i = 0; i < n; i++) {
            atomic_store(&turn, 1);
            fwake(&turn);
            while (atomic_load(&turn) != 0)
                fwait(&turn, 1);
        }
        double t1 = now();
        pthread_join(t, NULL);
        printf("%.0f\n", (t1 - t0) / (2.0 * n));
    } else {
        return 2;
    }
    return 0;
}
