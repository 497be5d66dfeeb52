/* platform.c — the hosted (Linux process) side of the platform interface
 * of core/kernel.h: console and exit, pages, inputs and the check of bound
 * output paths. The store is in store.c, threads in thread.c.
 *
 * Inputs are files mapped read-only (other readable things, like pipes, are
 * read into memory).
 */
#include "../core/kernel.h"
#include "sys.h"

void plat_write(int stream, const void *p, int64_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        long r = sys_write(stream, b, n);
        if (r == -LX_EINTR)
            continue;
        if (r <= 0)
            return;             /* nowhere left to report it */
        b += r;
        n -= r;
    }
}

_Noreturn void plat_exit(int status) { sys_exit_group(status); }

void *plat_map(int64_t bytes)
{
    long r = sys_mmap(NULL, bytes, LX_PROT_READ | LX_PROT_WRITE,
                      LX_MAP_PRIVATE | LX_MAP_ANONYMOUS, -1, 0);
    return r < 0 && r > -4096 ? NULL : (void *)r;
}

void plat_unmap(void *p, int64_t bytes) { sys_munmap(p, bytes); }

int plat_guard(void *p, int64_t bytes) { return (int)-sys_mprotect(p, bytes, LX_PROT_NONE); }

/* MADV_FREE (Linux 4.5) frees lazily, when memory is short; MADV_DONTNEED
 * at once. */
void plat_discard(void *p, int64_t bytes)
{
    if (sys_call3(SYS_madvise, (long)p, bytes, 8) == -LX_EINVAL)
        sys_call3(SYS_madvise, (long)p, bytes, 4);
}

const char *plat_strerror(int err)
{
    switch (err) {
    case LX_EPERM: return "operation not permitted";
    case LX_ENOENT: return "no such file or directory";
    case LX_EIO: return "input/output error";
    case LX_ENOMEM: return "out of memory";
    case LX_EACCES: return "permission denied";
    case LX_EEXIST: return "file exists";
    case LX_ENOTDIR: return "a component of the path is not a directory";
    case LX_EISDIR: return "is a directory";
    case LX_EINVAL: return "invalid argument";
    case LX_EFBIG: return "file too large";
    case LX_ENOSPC: return "no space left on device";
    case LX_EROFS: return "read-only file system";
    case LX_ENAMETOOLONG: return "file name too long";
    case LX_ELOOP: return "too many symbolic links";
    case LX_EDQUOT: return "disk quota exceeded";
    default: return "system error";
    }
}

/* Reads a file to its end into mapped memory that doubles as needed. */
static int read_all(int fd, const uint8_t **data, int64_t *len)
{
    int64_t cap = 1 << 16, n = 0;
    uint8_t *buf = plat_map(cap);
    if (!buf)
        return LX_ENOMEM;
    for (;;) {
        if (n == cap) {
            uint8_t *bigger = plat_map(cap * 2);
            if (!bigger)
                return LX_ENOMEM;
            memcpy(bigger, buf, (size_t)n);
            plat_unmap(buf, cap);
            buf = bigger;
            cap *= 2;
        }
        long r = sys_read(fd, buf + n, cap - n);
        if (r == -LX_EINTR)
            continue;
        if (r < 0)
            return (int)-r;
        if (r == 0)
            break;
        n += r;
    }
    *data = buf;
    *len = n;
    return 0;
}

int plat_input_open(const char *path, const uint8_t **data, int64_t *len)
{
    long fd = sys_openat(LX_AT_FDCWD, path, LX_O_RDONLY | LX_O_CLOEXEC | LX_O_NOCTTY, 0);
    if (fd < 0)
        return (int)-fd;
    struct lx_stat st;
    long r = sys_fstat((int)fd, &st);
    int err = 0;
    if (r < 0) {
        err = (int)-r;
    } else if ((st.st_mode & LX_S_IFMT) == LX_S_IFDIR) {
        err = LX_EISDIR;
    } else if ((st.st_mode & LX_S_IFMT) != LX_S_IFREG || st.st_size == 0) {
        /* pipes, terminals, and files that only know their size once read
         * (/proc); an empty file ends up here too, with length 0 */
        err = read_all((int)fd, data, len);
    } else {
        r = sys_mmap(NULL, st.st_size, LX_PROT_READ, LX_MAP_PRIVATE, (int)fd, 0);
        if (r < 0 && r > -4096) {
            err = (int)-r;
        } else {
            *data = (const uint8_t *)r;
            *len = st.st_size;
        }
    }
    sys_close((int)fd);         /* a mapping outlives its descriptor */
    return err;
}

/* Length of the directory part of path, without the final '/' ("" for a
 * bare name, "/" stays "/"). */
int64_t lk_hosted_dir_len(const char *path)
{
    int64_t slash = -1;
    for (int64_t i = 0; path[i]; i++)
        if (path[i] == '/')
            slash = i;
    return slash == 0 ? 1 : slash < 0 ? 0 : slash;
}

/* dir of path as a new string ("." for a bare name). */
char *lk_hosted_dir_of(const char *path)
{
    int64_t n = lk_hosted_dir_len(path);
    char *d = lk_kalloc(n + 2);
    if (n == 0)
        d[0] = '.';
    else
        memcpy(d, path, (size_t)n);
    return d;
}

int plat_output_check(const char *path)
{
    struct lx_stat st;
    long r = sys_newfstatat(LX_AT_FDCWD, path, &st, LX_AT_SYMLINK_NOFOLLOW);
    if (r == 0)
        return LK_EXISTS;
    if (r != -LX_ENOENT)
        return (int)-r;
    r = sys_newfstatat(LX_AT_FDCWD, lk_hosted_dir_of(path), &st, 0);
    if (r < 0)
        return (int)-r;
    return (st.st_mode & LX_S_IFMT) == LX_S_IFDIR ? 0 : LX_ENOTDIR;
}

/* ---- the trace file ---- */

static int trace_fd = -1;

int plat_trace_open(const char *path)
{
    long fd = sys_openat(LX_AT_FDCWD, path, LX_O_WRONLY | LX_O_CREAT | LX_O_TRUNC | LX_O_CLOEXEC, 0644);
    if (fd < 0)
        return (int)-fd;
    trace_fd = (int)fd;
    return 0;
}

int plat_trace_write(const void *p, int64_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        long r = sys_write(trace_fd, b, n);
        if (r == -LX_EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? (int)-r : LX_EIO;
        b += r;
        n -= r;
    }
    return 0;
}

int plat_trace_close(void)
{
    long r = sys_fsync(trace_fd);
    sys_close(trace_fd);
    trace_fd = -1;
    return r < 0 && r != -LX_EINVAL ? (int)-r : 0;
}
