/* signal.c — what the hosted kernel does with signals (spec/kernel.md §4):
 * SIGINT, SIGTERM, SIGHUP and SIGPIPE delete the temporary files, then end
 * the image by the same signal (so a shell still sees "interrupted");
 * SIGSEGV on the running task's stack guard page is a panic ("stack
 * overflow"), handled on an alternate stack since the task's is full; any
 * other SIGSEGV or SIGBUS deletes the temporaries, flushes the console and
 * is re-raised with the default action.
 *
 * Handlers only make raw system calls and never return into the task,
 * except to re-run a fault with the default action in place.
 */
#include "../core/kernel.h"
#include "sys.h"

enum {
    SYS_rt_sigaction = 13, SYS_rt_sigreturn = 15, SYS_sigaltstack = 131,
    SIGHUP = 1, SIGINT = 2, SIGBUS = 7, SIGSEGV = 11, SIGPIPE = 13, SIGTERM = 15, SIGSYS = 31,
    SIG_BLOCK = 0, SIG_UNBLOCK = 1,
    ALT_STACK = 1 << 16,
};

#define SA_SIGINFO 0x4UL
#define SA_RESTORER 0x04000000UL
#define SA_ONSTACK 0x08000000UL
#define SA_NODEFER 0x40000000UL
#define SA_RESETHAND 0x80000000UL

struct lx_sigaction {
    void (*handler)(int, void *, void *);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

struct lx_stack {
    void *sp;
    int flags;
    size_t size;
};

/* Returning from a handler goes through rt_sigreturn; x86-64 Linux wants
 * the caller to provide that trampoline (SA_RESTORER). */
void lk_sigreturn(void);
__asm__(".text\n"
        ".globl lk_sigreturn\n"
        ".type lk_sigreturn, @function\n"
        "lk_sigreturn:\n"
        "    mov $15, %eax\n"
        "    syscall\n"
        "    ud2\n"
        ".size lk_sigreturn, . - lk_sigreturn\n");

static void set_action(int sig, void (*handler)(int, void *, void *), unsigned long flags)
{
    struct lx_sigaction act = {
        .handler = handler,
        .flags = flags | SA_RESTORER,
        .restorer = lk_sigreturn,
        .mask = 0,
    };
    sys_call6(SYS_rt_sigaction, sig, (long)&act, 0, 8, 0, 0);
}

static void set_default(int sig)
{
    struct lx_sigaction act = {.handler = NULL, .flags = SA_RESTORER, .restorer = lk_sigreturn};
    sys_call6(SYS_rt_sigaction, sig, (long)&act, 0, 8, 0, 0);
}

/* SA_RESETHAND has put the default action back; SA_NODEFER lets the signal
 * we send ourselves end the process at once. */
static void on_termination(int sig, void *info, void *context)
{
    lk_do_discard_all();
    plat_store_close();
    sys_call3(SYS_kill, sys_getpid(), sig, 0);
}

/* A handler that panics never returns: the signal it handles must be
 * unblocked first, or the next one on this thread would kill the image. */
static void unblock(int sig)
{
    uint64_t set = (uint64_t)1 << (sig - 1);
    sys_call6(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&set, 0, 8, 0, 0);
}

static void on_fault(int sig, void *info, void *context)
{
    uintptr_t addr = *(uintptr_t *)((uint8_t *)info + 16);     /* si_addr */
    if (sig == SIGSEGV && lk_stack_guard_hit(addr)) {
        unblock(sig);
        __loam_panic(lk_current_task_name(), "stack overflow");
    }
    if (sig == SIGSEGV && lk_current() && lk_do_readonly_hit(addr)) {
        unblock(sig);
        __loam_panic(lk_current_task_name(), "write to a data object that is read-only (an input, or a committed Ref)");
    }
    set_default(sig);           /* returning re-runs the fault, now fatal */
    lk_do_discard_all();
    lk_console_flush();
}

/* The sandbox refused a system call (hosted/sandbox.c): in a task, a
 * panic; in the kernel, a bug. */
static void on_sys(int sig, void *info, void *context)
{
    int nr = *(int *)((uint8_t *)info + 24);                   /* si_syscall */
    lk_line l = {.len = 0};
    lk_line_str(&l, "system call ");
    lk_line_int(&l, nr);
    lk_line_str(&l, " is not allowed in a task (the kernel does all I/O; see spec/kernel.md)");
    if (lk_current()) {
        unblock(sig);
        __loam_panic(lk_current_task_name(), lk_kstrdup(l.buf, l.len));
    }
    lk_line m = {.len = 0};
    lk_line_str(&m, "loam: internal error: the kernel made a refused ");
    lk_line_mem(&m, l.buf, 15);
    lk_line_int(&m, nr);
    lk_line_str(&m, "\n");
    plat_write(LK_STDERR, m.buf, m.len);
    sys_exit_group(LK_EXIT_PANIC);
}

void lk_hosted_block_termination(void)
{
    uint64_t set = (uint64_t)1 << (SIGHUP - 1) | (uint64_t)1 << (SIGINT - 1) |
                   (uint64_t)1 << (SIGPIPE - 1) | (uint64_t)1 << (SIGTERM - 1);
    sys_call6(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8, 0, 0);
}

void lk_hosted_signals_init(void)
{
    static const int termination[] = {SIGHUP, SIGINT, SIGPIPE, SIGTERM};
    for (unsigned i = 0; i < sizeof termination / sizeof termination[0]; i++)
        set_action(termination[i], on_termination, SA_SIGINFO | SA_RESETHAND | SA_NODEFER);
    struct lx_stack alt = {.sp = plat_map(ALT_STACK), .flags = 0, .size = ALT_STACK};
    if (alt.sp && sys_call3(SYS_sigaltstack, (long)&alt, 0, 0) == 0) {
        set_action(SIGSEGV, on_fault, SA_SIGINFO | SA_ONSTACK);
        set_action(SIGBUS, on_fault, SA_SIGINFO | SA_ONSTACK);
        set_action(SIGSYS, on_sys, SA_SIGINFO | SA_ONSTACK);
    }
}
