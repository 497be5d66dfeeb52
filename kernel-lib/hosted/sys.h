/* sys.h — raw x86-64 Linux system calls (the `syscall` instruction; no libc).
 * Every wrapper returns the kernel's result: >= 0, or -errno on failure.
 * Only hosted/ includes this file.
 */
#ifndef LK_SYS_H
#define LK_SYS_H

#include <stdint.h>

enum {
    SYS_read = 0, SYS_write = 1, SYS_close = 3, SYS_fstat = 5, SYS_mmap = 9,
    SYS_mprotect = 10, SYS_munmap = 11, SYS_getpid = 39, SYS_fsync = 74,
    SYS_arch_prctl = 158, SYS_exit_group = 231, SYS_openat = 257,
    SYS_newfstatat = 262, SYS_unlinkat = 263, SYS_renameat = 264,
    SYS_renameat2 = 316, SYS_clone = 56, SYS_exit = 60, SYS_futex = 202,
    SYS_sched_setaffinity = 203, SYS_sched_getaffinity = 204, SYS_clock_gettime = 228,
    SYS_mkdirat = 258, SYS_linkat = 265, SYS_prctl = 157, SYS_seccomp = 317,
    SYS_gettid = 186, SYS_rt_sigprocmask = 14, SYS_sched_yield = 24, SYS_madvise = 28, SYS_pwrite64 = 18, SYS_ioctl = 16,
    SYS_sync_file_range = 277, SYS_getdents64 = 217, SYS_kill = 62,
    SYS_pread64 = 17, SYS_ftruncate = 77, SYS_memfd_create = 319,
};

enum {
    LX_EPERM = 1, LX_ENOENT = 2, LX_ESRCH = 3, LX_EINTR = 4, LX_ETIMEDOUT = 110, LX_EIO = 5, LX_EBADF = 9,
    LX_ENOMEM = 12, LX_EACCES = 13, LX_EEXIST = 17, LX_ENOTDIR = 20,
    LX_EISDIR = 21, LX_EINVAL = 22, LX_EFBIG = 27, LX_ENOSPC = 28,
    LX_EROFS = 30, LX_ENAMETOOLONG = 36, LX_ENOSYS = 38, LX_ELOOP = 40,
    LX_EDQUOT = 122, LX_EXDEV = 18, LX_EAGAIN = 11, LX_EMLINK = 31,
};

enum {
    LX_AT_FDCWD = -100, LX_AT_SYMLINK_NOFOLLOW = 0x100, LX_AT_REMOVEDIR = 0x200,
    LX_O_RDONLY = 0, LX_O_WRONLY = 1, LX_O_CREAT = 0100, LX_O_EXCL = 0200,
    LX_O_NOCTTY = 0400, LX_O_RDWR = 2, LX_O_TRUNC = 01000, LX_O_DIRECTORY = 0200000, LX_O_CLOEXEC = 02000000,
    LX_PROT_NONE = 0, LX_PROT_READ = 1, LX_PROT_WRITE = 2,
    LX_MAP_SHARED = 1, LX_MAP_PRIVATE = 2, LX_MAP_ANONYMOUS = 0x20, LX_MAP_NORESERVE = 0x4000,
    LX_ARCH_SET_FS = 0x1002, LX_RENAME_NOREPLACE = 1,
    LX_S_IFMT = 0170000, LX_S_IFREG = 0100000, LX_S_IFDIR = 0040000,
};

/* struct stat as the x86-64 kernel lays it out. */
struct lx_stat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    uint64_t st_atime, st_atime_ns, st_mtime, st_mtime_ns, st_ctime, st_ctime_ns;
    int64_t unused[3];
};

static inline long sys_call3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return r;
}

static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
    long r;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return r;
}

static inline long sys_read(int fd, void *p, long n) { return sys_call3(SYS_read, fd, (long)p, n); }
static inline long sys_write(int fd, const void *p, long n) { return sys_call3(SYS_write, fd, (long)p, n); }
static inline long sys_close(int fd) { return sys_call3(SYS_close, fd, 0, 0); }
static inline long sys_fstat(int fd, struct lx_stat *st) { return sys_call3(SYS_fstat, fd, (long)st, 0); }
static inline long sys_fsync(int fd) { return sys_call3(SYS_fsync, fd, 0, 0); }
static inline long sys_getpid(void) { return sys_call3(SYS_getpid, 0, 0, 0); }
static inline long sys_openat(int dir, const char *path, int flags, int mode)
{
    return sys_call6(SYS_openat, dir, (long)path, flags, mode, 0, 0);
}
static inline long sys_newfstatat(int dir, const char *path, struct lx_stat *st, int flags)
{
    return sys_call6(SYS_newfstatat, dir, (long)path, (long)st, flags, 0, 0);
}
static inline long sys_unlinkat(int dir, const char *path, int flags) { return sys_call3(SYS_unlinkat, dir, (long)path, flags); }
static inline long sys_renameat2(int od, const char *op, int nd, const char *np, unsigned flags)
{
    return sys_call6(SYS_renameat2, od, (long)op, nd, (long)np, flags, 0);
}
static inline long sys_renameat(int od, const char *op, int nd, const char *np)
{
    return sys_call6(SYS_renameat, od, (long)op, nd, (long)np, 0, 0);
}
static inline long sys_mmap(void *addr, long len, int prot, int flags, int fd, long off)
{
    return sys_call6(SYS_mmap, (long)addr, len, prot, flags, fd, off);
}
static inline long sys_munmap(void *p, long len) { return sys_call3(SYS_munmap, (long)p, len, 0); }
static inline long sys_mprotect(void *p, long len, int prot) { return sys_call3(SYS_mprotect, (long)p, len, prot); }
static inline long sys_arch_prctl(int code, unsigned long addr) { return sys_call3(SYS_arch_prctl, code, (long)addr, 0); }
static inline _Noreturn void sys_exit_group(int status)
{
    for (;;)
        sys_call3(SYS_exit_group, status, 0, 0);
}

/* platform.c: the directory part of a path, without the final '/' (""
 * for a bare name); as a new string, "." for a bare name. */
int64_t lk_hosted_dir_len(const char *path);
char *lk_hosted_dir_of(const char *path);
/* signal.c: blocks SIGHUP/INT/PIPE/TERM on the calling thread (workers:
 * the I/O thread handles them). */
void lk_hosted_block_termination(void);
/* start.c: a new static TLS block for a thread; returns its thread
 * pointer, or 0 when out of memory. */
uintptr_t lk_hosted_tls_new(void);

#endif
