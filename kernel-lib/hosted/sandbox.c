/* sandbox.c — the system call filter (spec/kernel.md §8): seccomp-BPF,
 * installed per thread after the image has opened its inputs and before
 * any task runs. Worker threads — where every task runs — may only manage
 * memory, wait on futexes, write to the console (fd 1 and 2) and end; any
 * other call raises SIGSYS, which panics the running task (signal.c). The
 * I/O thread may also use the files of the store and the bound outputs.
 */
#include "../core/kernel.h"
#include "sys.h"

enum {
    SYS_rt_sigreturn = 15, SYS_rt_sigaction = 13, SYS_tgkill = 234,
    PR_SET_NO_NEW_PRIVS = 38, SECCOMP_SET_MODE_FILTER = 1,
    AUDIT_ARCH_X86_64 = 0xc000003e,
    BPF_LD_W_ABS = 0x20, BPF_JEQ_K = 0x15, BPF_RET_K = 0x06,
};
#define RET_ALLOW 0x7fff0000u
#define RET_TRAP 0x00030000u
#define RET_KILL 0x80000000u

typedef struct bpf_insn {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
} bpf_insn;

typedef struct bpf_prog {
    uint16_t len;
    const bpf_insn *filter;
} bpf_prog;

static const uint16_t worker_calls[] = {
    SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_futex, SYS_sched_yield,
    SYS_exit, SYS_exit_group, SYS_rt_sigreturn, SYS_rt_sigprocmask, SYS_getpid,
    SYS_gettid, SYS_kill, SYS_tgkill, SYS_clock_gettime,
};

static const uint16_t io_calls[] = {
    SYS_read, SYS_close, SYS_fstat, SYS_openat, SYS_newfstatat, SYS_unlinkat,
    SYS_renameat, SYS_renameat2, SYS_linkat, SYS_mkdirat, SYS_fsync, SYS_pwrite64,
    SYS_sync_file_range, SYS_getdents64, SYS_pread64, SYS_memfd_create, SYS_ftruncate,
    SYS_rt_sigaction,
};

int plat_sandbox(bool io)
{
    /* two instructions per allowed call, the prologue and the write rule */
    enum { MAX = 2 * (sizeof worker_calls + sizeof io_calls) / sizeof(uint16_t) + 12 };
    bpf_insn f[MAX];
    int n = 0;
    f[n++] = (bpf_insn){BPF_LD_W_ABS, 0, 0, 4};                 /* arch */
    f[n++] = (bpf_insn){BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64};
    f[n++] = (bpf_insn){BPF_RET_K, 0, 0, RET_KILL};
    f[n++] = (bpf_insn){BPF_LD_W_ABS, 0, 0, 0};                 /* nr */
    int lists = io ? 2 : 1;
    for (int l = 0; l < lists; l++) {
        const uint16_t *calls = l ? io_calls : worker_calls;
        int count = l ? (int)(sizeof io_calls / sizeof *io_calls)
                      : (int)(sizeof worker_calls / sizeof *worker_calls);
        for (int i = 0; i < count; i++) {
            f[n++] = (bpf_insn){BPF_JEQ_K, 0, 1, calls[i]};
            f[n++] = (bpf_insn){BPF_RET_K, 0, 0, RET_ALLOW};
        }
    }
    if (io) {
        f[n++] = (bpf_insn){BPF_JEQ_K, 0, 1, SYS_write};        /* any fd */
        f[n++] = (bpf_insn){BPF_RET_K, 0, 0, RET_ALLOW};
    } else {
        /* write(fd, ...) with fd 1 or 2: the console and the messages */
        f[n++] = (bpf_insn){BPF_JEQ_K, 0, 4, SYS_write};
        f[n++] = (bpf_insn){BPF_LD_W_ABS, 0, 0, 16};            /* args[0], low half */
        f[n++] = (bpf_insn){BPF_JEQ_K, 1, 0, 1};
        f[n++] = (bpf_insn){BPF_JEQ_K, 0, 1, 2};
        f[n++] = (bpf_insn){BPF_RET_K, 0, 0, RET_ALLOW};
    }
    f[n++] = (bpf_insn){BPF_RET_K, 0, 0, RET_TRAP};
    if (!io)
        lk_hosted_block_termination();
    long r = sys_call6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
    if (r < 0)
        return (int)-r;
    bpf_prog prog = {(uint16_t)n, f};
    r = sys_call3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog);
    return r < 0 ? (int)-r : 0;
}
