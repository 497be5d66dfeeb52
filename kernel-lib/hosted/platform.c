/* platform.c — the hosted (Linux process) side of the platform interface
 * of core/kernel.h: console and exit, pages, and the DO storage protocol.
 *
 * Inputs are files mapped read-only (other readable things, like pipes, are
 * read into memory). Outputs follow spec/kernel.md §5: bytes go to
 * `DIR/.NAME.tmp.PID`, created with O_EXCL next to the final path; commit is
 * fsync, rename without replacing, fsync of the directory.
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
static int64_t dir_len(const char *path)
{
    int64_t slash = -1;
    for (int64_t i = 0; path[i]; i++)
        if (path[i] == '/')
            slash = i;
    return slash == 0 ? 1 : slash < 0 ? 0 : slash;
}

/* dir of path as a new string ("." for a bare name). */
static char *dir_of(const char *path)
{
    int64_t n = dir_len(path);
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
    r = sys_newfstatat(LX_AT_FDCWD, dir_of(path), &st, 0);
    if (r < 0)
        return (int)-r;
    return (st.st_mode & LX_S_IFMT) == LX_S_IFDIR ? 0 : LX_ENOTDIR;
}

int plat_output_create(loam_do *o)
{
    /* DIR/.NAME.tmp.PID — hidden, next to the final path so that rename is
     * atomic (same file system). */
    int64_t plen = lk_strlen(o->path), dlen = dir_len(o->path);
    int64_t start = dlen == 0 ? 0 : (dlen == 1 && o->path[0] == '/') ? 1 : dlen + 1;
    lk_line pid;
    pid.len = 0;
    lk_line_int(&pid, sys_getpid());
    char *t = lk_kalloc(plen + 8 + pid.len + 1);
    int64_t n = 0;
    memcpy(t, o->path, (size_t)start);
    n = start;
    t[n++] = '.';
    memcpy(t + n, o->path + start, (size_t)(plen - start));
    n += plen - start;
    memcpy(t + n, ".tmp.", 5);
    n += 5;
    memcpy(t + n, pid.buf, (size_t)pid.len);
    long fd = sys_openat(LX_AT_FDCWD, t, LX_O_WRONLY | LX_O_CREAT | LX_O_EXCL | LX_O_CLOEXEC, 0644);
    if (fd < 0)
        return (int)-fd;
    o->fd = (int)fd;
    o->tmp_path = t;
    return 0;
}

int plat_output_write(loam_do *o, const uint8_t *p, int64_t n)
{
    while (n > 0) {
        long r = sys_write(o->fd, p, n);
        if (r == -LX_EINTR)
            continue;
        if (r < 0)
            return (int)-r;
        if (r == 0)
            return LX_EIO;
        p += r;
        n -= r;
    }
    return 0;
}

int plat_output_commit(loam_do *o)
{
    long r = sys_fsync(o->fd);
    if (r < 0)
        return (int)-r;
    sys_close(o->fd);
    o->fd = -1;
    r = sys_renameat2(LX_AT_FDCWD, o->tmp_path, LX_AT_FDCWD, o->path, LX_RENAME_NOREPLACE);
    if (r == -LX_EINVAL || r == -LX_ENOSYS) {
        /* The file system cannot refuse to replace: check, then rename. */
        int check = plat_output_check(o->path);
        if (check == 0)
            r = sys_renameat(LX_AT_FDCWD, o->tmp_path, LX_AT_FDCWD, o->path);
        else
            r = check == LK_EXISTS ? -LX_EEXIST : -check;
    }
    if (r < 0)
        return (int)-r;
    o->tmp_path = NULL;
    long dfd = sys_openat(LX_AT_FDCWD, dir_of(o->path), LX_O_RDONLY | LX_O_DIRECTORY | LX_O_CLOEXEC, 0);
    if (dfd < 0)
        return (int)-dfd;
    r = sys_fsync((int)dfd);
    sys_close((int)dfd);
    /* Some file systems cannot fsync a directory; the rename is done. */
    return r < 0 && r != -LX_EINVAL ? (int)-r : 0;
}

void plat_output_discard(loam_do *o)
{
    if (o->fd >= 0)
        sys_close(o->fd);
    o->fd = -1;
    if (o->tmp_path)
        sys_unlinkat(LX_AT_FDCWD, o->tmp_path, 0);
    o->tmp_path = NULL;
}
