/* thread.c — threads for the hosted kernel without libc: raw clone with
 * its own stack and its own static TLS block (CLONE_SETTLS: generated code
 * reads __loam_budget at a fixed %fs offset, so every worker needs its
 * block), pinning with sched_setaffinity, futexes, the monotonic clock.
 */
#include "../core/kernel.h"
#include "sys.h"

enum {
    CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
    CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
    FUTEX_WAIT_PRIVATE = 128, FUTEX_WAKE_PRIVATE = 129,
    THREAD_STACK = 256 << 10, MASK_BYTES = 128,
};

/* lk_clone(flags, stack, tls): the new thread starts on `stack`, whose two
 * top words are fn and arg; it calls fn(arg), which never returns. */
long lk_clone(unsigned long flags, void *stack, uintptr_t tls);
__asm__(".text\n"
        ".globl lk_clone\n"
        ".type lk_clone, @function\n"
        "lk_clone:\n"
        "    mov %rdx, %r8\n"
        "    xor %edx, %edx\n"
        "    xor %r10d, %r10d\n"
        "    mov $56, %eax\n"
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jnz 1f\n"
        "    xor %ebp, %ebp\n"
        "    pop %rax\n"
        "    pop %rdi\n"
        "    call *%rax\n"
        "    ud2\n"
        "1:  ret\n"
        ".size lk_clone, . - lk_clone\n");

static uint8_t affinity[MASK_BYTES];
static int64_t cpus = -1;

int64_t plat_cpu_count(void)
{
    if (cpus < 0) {
        long r = sys_call3(SYS_sched_getaffinity, 0, MASK_BYTES, (long)affinity);
        int64_t n = 0;
        for (long i = 0; r > 0 && i < r * 8; i++)
            n += affinity[i / 8] >> (i % 8) & 1;
        cpus = n > 0 ? n : 1;
        if (n == 0)
            affinity[0] = 1;
    }
    return cpus;
}

void plat_pin(int64_t cpu)
{
    if (cpu < 0)
        return;
    plat_cpu_count();
    uint8_t mask[MASK_BYTES] = {0};
    int64_t seen = 0;
    for (int64_t i = 0; i < MASK_BYTES * 8; i++) {
        if (affinity[i / 8] >> (i % 8) & 1) {
            if (seen++ == cpu % cpus) {
                mask[i / 8] = (uint8_t)(1 << (i % 8));
                sys_call3(SYS_sched_setaffinity, 0, MASK_BYTES, (long)mask);
                return;
            }
        }
    }
}

typedef struct thread_start {
    void (*fn)(void *);
    void *arg;
    int64_t cpu;
} thread_start;

static void thread_main(void *p)
{
    thread_start *s = p;
    plat_pin(s->cpu);
    lk_hosted_signals_init();   /* this thread's alternate signal stack */
    s->fn(s->arg);
    for (;;)
        sys_call3(SYS_exit, 0, 0, 0);
}

int plat_thread_start(void (*fn)(void *), void *arg, int64_t cpu)
{
    uintptr_t tp = lk_hosted_tls_new();
    uint8_t *stack = plat_map(THREAD_STACK);
    if (!tp || !stack)
        return LX_ENOMEM;
    plat_guard(stack, 4096);
    thread_start *s = lk_kalloc(sizeof *s);
    *s = (thread_start){fn, arg, cpu};
    uint64_t *top = (uint64_t *)(stack + THREAD_STACK);
    top[-2] = (uint64_t)(uintptr_t)thread_main;
    top[-1] = (uint64_t)(uintptr_t)s;
    unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                          CLONE_SYSVSEM | CLONE_SETTLS;
    long r = lk_clone(flags, &top[-2], tp);
    return r < 0 ? (int)-r : 0;
}

bool plat_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns)
{
    int64_t ts[2] = {timeout_ns / 1000000000, timeout_ns % 1000000000};
    long r = sys_call6(SYS_futex, (long)addr, FUTEX_WAIT_PRIVATE, expected, timeout_ns ? (long)ts : 0, 0, 0);
    return r != -LX_ETIMEDOUT;
}

void plat_futex_wake(_Atomic uint32_t *addr, int64_t n)
{
    sys_call6(SYS_futex, (long)addr, FUTEX_WAKE_PRIVATE, n, 0, 0, 0);
}

int64_t plat_now_ns(void)
{
    int64_t ts[2] = {0, 0};
    sys_call3(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (long)ts, 0);
    return ts[0] * 1000000000 + ts[1];
}
