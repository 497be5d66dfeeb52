/* store.c — the store on a Linux file system (spec/kernel.md §6): a
 * directory (default .loam/store, created on first use) holding one file
 * per committed data object, named by the hex of its name, with NAME.sum
 * (the hex of its content hash and a newline) beside it.
 *
 * Commit: the bytes go to NAME.tmp.PID (O_EXCL), which is fsynced; the sum
 * is written to NAME.sum.tmp.PID and renamed to NAME.sum; then NAME.tmp.PID
 * is renamed to NAME. So NAME exists only whole and only after its sum; a
 * crash leaves at most *.tmp.PID files, which are never read. Renames may
 * replace: two images that commit the same name commit the same bytes.
 * The directory itself is fsynced once, at the end (plat_materialise).
 * The I/O thread commits in batches (core/io.c): plat_object_flush starts
 * the writeback of each object of a batch before the first fsync.
 */
#include "../core/kernel.h"
#include "sys.h"

enum { NAME_HEX = 64 };

/* STORE/HEX[suffix][PID] into l. */
static void store_line(lk_line *l, const uint8_t name[32], const char *suffix, bool pid)
{
    char hex[65];
    lk_hash_hex(name, hex);
    lk_line_str(l, lk_opt.store);
    lk_line_str(l, "/");
    lk_line_str(l, hex);
    lk_line_str(l, suffix);
    if (pid)
        lk_line_int(l, sys_getpid());
}

/* The same path in a kernel-allocated string. */
static char *store_path(const uint8_t name[32], const char *suffix, bool pid)
{
    lk_line l = {.len = 0};
    store_line(&l, name, suffix, pid);
    return lk_kstrdup(l.buf, l.len);
}

/* Same, on the stack, for paths used once. */
typedef struct path_buf {
    char s[1100];
} path_buf;

/* l as a C string in b (cut to fit). */
static const char *path_of(path_buf *b, const lk_line *l)
{
    int64_t n = l->len < (int64_t)sizeof b->s - 1 ? l->len : (int64_t)sizeof b->s - 1;
    memcpy(b->s, l->buf, (size_t)n);
    b->s[n] = 0;
    return b->s;
}

static const char *store_path_tmp(path_buf *b, const uint8_t name[32], const char *suffix, bool pid)
{
    lk_line l = {.len = 0};
    store_line(&l, name, suffix, pid);
    return path_of(b, &l);
}

/* pread64 or pwrite64 (nr) of all n bytes at offset, through EINTR and
 * short transfers: 0, or an errno (LX_EIO when the file ends first). */
static int transfer_all(long nr, int fd, const uint8_t *p, int64_t n, int64_t offset)
{
    while (n > 0) {
        long r = sys_call6(nr, fd, (long)p, n, offset, 0, 0);
        if (r == -LX_EINTR)
            continue;
        if (r < 0)
            return (int)-r;
        if (r == 0)
            return LX_EIO;
        p += r;
        n -= r;
        offset += r;
    }
    return 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* ---- where committed objects' bytes are read from ----
 *
 * A large object is mapped from its file. Small ones are copied into one
 * region instead: Linux allows a process 65,530 mappings
 * (vm.max_map_count), and a run of 70,000 one-line tasks failed with "out
 * of memory" when each committed object kept a mapping of its own. The
 * region is shared memory (a memfd) mapped twice: writable where the I/O
 * thread copies objects in, read-only where tasks read them, so a write to
 * a committed object still faults (§8). It is reserved, not allocated:
 * only the bytes copied in use memory. */
enum { SMALL_OBJECT = 16 << 10, SMALL_SLACK = 4096 };
static const int64_t SMALL_REGION = INT64_C(64) << 30;
static uint8_t *small_rw, *small_ro;
static int64_t small_used;
static bool small_failed;

static bool small_region(void)
{
    if (small_ro || small_failed)
        return small_ro != NULL;
    small_failed = true;
    long fd = sys_call3(SYS_memfd_create, (long)"loam-objects", 1 /* MFD_CLOEXEC */, 0);
    if (fd < 0)
        return false;
    long rw = -1, ro = -1;
    if (sys_call3(SYS_ftruncate, fd, SMALL_REGION, 0) == 0) {
        rw = sys_mmap(NULL, SMALL_REGION, LX_PROT_READ | LX_PROT_WRITE, LX_MAP_SHARED | LX_MAP_NORESERVE, (int)fd, 0);
        ro = sys_mmap(NULL, SMALL_REGION, LX_PROT_READ, LX_MAP_SHARED | LX_MAP_NORESERVE, (int)fd, 0);
    }
    sys_close((int)fd);
    if (rw < 0 && rw > -4096)
        rw = -1;
    if (ro < 0 && ro > -4096)
        ro = -1;
    if (rw == -1 || ro == -1) {
        if (rw != -1)
            sys_munmap((void *)rw, SMALL_REGION);
        if (ro != -1)
            sys_munmap((void *)ro, SMALL_REGION);
        return false;
    }
    small_rw = (uint8_t *)rw;
    small_ro = (uint8_t *)ro;
    small_failed = false;
    return true;
}

/* Copies the n bytes of fd into the region; false when it cannot (no
 * region, full, or a read error), and the caller maps the file instead. */
static bool copy_small(long fd, int64_t n, const uint8_t **data)
{
    if (n > SMALL_OBJECT || !small_region() || small_used + n + SMALL_SLACK > SMALL_REGION ||
        transfer_all(SYS_pread64, (int)fd, small_rw + small_used, n, 0) != 0)
        return false;
    *data = small_ro + small_used;
    small_used += (n + 15) & ~(int64_t)15;
    return true;
}

void plat_content_release(const uint8_t *data, int64_t len)
{
    if (len > 0 && !(small_ro && (uintptr_t)data - (uintptr_t)small_ro < (uintptr_t)SMALL_REGION))
        plat_unmap((void *)data, len);      /* the bytes in the region stay */
}

static int map_fd(long fd, const uint8_t **data, int64_t *len)
{
    struct lx_stat st;
    long r = sys_fstat((int)fd, &st);
    if (r < 0)
        return (int)-r;
    *len = st.st_size;
    *data = NULL;
    if (st.st_size > 0 && copy_small(fd, st.st_size, data))
        return 0;
    if (st.st_size > 0) {
        r = sys_mmap(NULL, st.st_size, LX_PROT_READ, LX_MAP_PRIVATE, (int)fd, 0);
        if (r < 0 && r > -4096)
            return (int)-r;
        *data = (const uint8_t *)r;
    }
    return 0;
}

int plat_store_find(const uint8_t name[32], const uint8_t **data, int64_t *len, uint8_t sum[32])
{
    path_buf b;
    long fd = sys_openat(LX_AT_FDCWD, store_path_tmp(&b, name, "", false),
                         LX_O_RDONLY | LX_O_CLOEXEC | LX_O_NOCTTY, 0);
    if (fd == -LX_ENOENT || fd == -LX_ENOTDIR)
        return LK_ABSENT;
    if (fd < 0)
        return (int)-fd;
    int err = map_fd(fd, data, len);
    sys_close((int)fd);
    if (err)
        return err;
    if (!sum)
        return 0;
    memset(sum, 0, 32);
    fd = sys_openat(LX_AT_FDCWD, store_path_tmp(&b, name, ".sum", false), LX_O_RDONLY | LX_O_CLOEXEC, 0);
    if (fd >= 0) {
        char hex[NAME_HEX + 1];
        long n = sys_read((int)fd, hex, NAME_HEX);
        sys_close((int)fd);
        for (int i = 0; n == NAME_HEX && i < 32; i++) {
            int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
            if (hi < 0 || lo < 0)
                break;
            sum[i] = (uint8_t)(hi << 4 | lo);
        }
    }
    return 0;
}

void plat_store_remove(const uint8_t name[32])
{
    path_buf b;
    sys_unlinkat(LX_AT_FDCWD, store_path_tmp(&b, name, "", false), 0);
    sys_unlinkat(LX_AT_FDCWD, store_path_tmp(&b, name, ".sum", false), 0);
}

/* mkdir -p of the store directory. */
static int make_store(void)
{
    const char *dir = lk_opt.store;
    int64_t n = lk_strlen(dir);
    char *p = lk_kstrdup(dir, n);
    for (int64_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != 0)
            continue;
        char c = p[i];
        p[i] = 0;
        long r = sys_call3(SYS_mkdirat, LX_AT_FDCWD, (long)p, 0755);
        p[i] = c;
        if (r < 0 && r != -LX_EEXIST)
            return (int)-r;
    }
    return 0;
}

/* ---- temporaries left by killed images ----
 *
 * An image killed while it writes leaves NAME.tmp.PID and NAME.sum.tmp.PID
 * behind: never read, but nothing else would ever delete them. So every
 * image that writes to the store marks itself (an empty STORE/.running/PID)
 * before its first temporary, and removes the mark when it ends
 * (plat_store_close). Before that first temporary it also looks at the
 * other marks: a mark whose process no longer exists belongs to an image
 * that was killed, and its temporaries and mark are deleted. A scan of the
 * whole store happens only after a crash. (A process id reused by another
 * program keeps a mark alive a while longer; that costs nothing.) */

struct lx_dirent64 {
    uint64_t ino;
    int64_t off;
    uint16_t reclen;
    uint8_t type;
    char name[];
};

static bool marked;

static void running_mark(path_buf *b, long pid)
{
    lk_line l = {.len = 0};
    lk_line_str(&l, lk_opt.store);
    lk_line_str(&l, "/.running");
    if (pid > 0) {
        lk_line_str(&l, "/");
        lk_line_int(&l, pid);
    }
    path_of(b, &l);
}

/* The process id that `name` (a directory entry) is a mark of, or what
 * follows ".tmp." in it when `tmp`; 0 when it is neither. */
static long pid_in(const char *name, bool tmp)
{
    const char *p = name;
    if (tmp) {
        const char *dot = NULL;
        for (const char *q = name; *q; q++)
            if (q[0] == '.' && q[1] == 't' && q[2] == 'm' && q[3] == 'p' && q[4] == '.')
                dot = q + 5;
        if (!dot)
            return 0;
        p = dot;
    }
    long pid = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || pid > 1L << 40)
            return 0;
        pid = pid * 10 + (*p - '0');
    }
    return pid;
}

/* Calls fn(dir fd, entry name, pid) for each entry of dir in which pid_in
 * finds a process id; errors end the walk quietly (a sweep is a courtesy). */
static void each_pid_entry(const char *dir, bool tmp, void (*fn)(int, const char *, long))
{
    long fd = sys_openat(LX_AT_FDCWD, dir, LX_O_RDONLY | LX_O_DIRECTORY | LX_O_CLOEXEC, 0);
    if (fd < 0)
        return;
    _Alignas(8) uint8_t buf[8192];      /* on the stack: walks nest */
    for (;;) {
        long n = sys_call3(SYS_getdents64, fd, (long)buf, sizeof buf);
        if (n <= 0)
            break;
        for (long at = 0; at < n;) {
            struct lx_dirent64 *d = (struct lx_dirent64 *)(buf + at);
            at += d->reclen;
            long pid = pid_in(d->name, tmp);
            if (pid > 0)
                fn((int)fd, d->name, pid);
        }
    }
    sys_close((int)fd);
}

static long dead_pid;

static void remove_tmp_of_dead(int dir, const char *name, long pid)
{
    if (pid == dead_pid)
        sys_unlinkat(dir, name, 0);
}

static void sweep_if_dead(int dir, const char *name, long pid)
{
    if (pid == sys_getpid() || sys_call3(SYS_kill, pid, 0, 0) != -LX_ESRCH)
        return;
    dead_pid = pid;
    each_pid_entry(lk_opt.store, true, remove_tmp_of_dead);
    sys_unlinkat(dir, name, 0);
}

/* Before the first temporary: marks this image running, and sweeps what
 * killed images left. */
static void mark_running(void)
{
    marked = true;
    path_buf b;
    running_mark(&b, 0);
    sys_call3(SYS_mkdirat, LX_AT_FDCWD, (long)b.s, 0755);
    each_pid_entry(b.s, false, sweep_if_dead);
    running_mark(&b, sys_getpid());
    long fd = sys_openat(LX_AT_FDCWD, b.s, LX_O_WRONLY | LX_O_CREAT | LX_O_CLOEXEC, 0644);
    if (fd >= 0)
        sys_close((int)fd);
}

/* Signal-safe (the termination handler calls it). */
void plat_store_close(void)
{
    if (!marked)
        return;
    path_buf b;
    running_mark(&b, sys_getpid());
    sys_unlinkat(LX_AT_FDCWD, b.s, 0);
    running_mark(&b, 0);
    sys_unlinkat(LX_AT_FDCWD, b.s, LX_AT_REMOVEDIR);  /* when no other image runs */
}

int plat_object_create(loam_do *o)
{
    if (!marked) {
        int err = make_store();
        if (err)
            return err;
        mark_running();
    }
    char *tmp = store_path(o->name, ".tmp.", true);
    int flags = LX_O_RDWR | LX_O_CREAT | LX_O_EXCL | LX_O_CLOEXEC;
    long fd = sys_openat(LX_AT_FDCWD, tmp, flags, 0644);
    if (fd == -LX_ENOENT) {
        int err = make_store();
        if (err)
            return err;
        fd = sys_openat(LX_AT_FDCWD, tmp, flags, 0644);
    }

    if (fd == -LX_EEXIST) {     /* left by a killed process with our pid */
        sys_unlinkat(LX_AT_FDCWD, tmp, 0);
        fd = sys_openat(LX_AT_FDCWD, tmp, flags, 0644);
    }
    if (fd < 0)
        return (int)-fd;
    o->tmp_path = tmp;
    o->fd = (int)fd;
    return 0;
}

int plat_object_write(loam_do *o, const uint8_t *p, int64_t n, int64_t offset)
{
    return transfer_all(SYS_pwrite64, o->fd, p, n, offset);
}

/* SYNC_FILE_RANGE_WRITE over the whole file: starts the writeback of its
 * dirty pages and returns. A failure here is found again by the fsync. */
void plat_object_flush(loam_do *o)
{
    if (o->fd >= 0)
        sys_call6(SYS_sync_file_range, o->fd, 0, 0, 2, 0, 0);
}

int plat_object_commit(loam_do *o, const uint8_t sum[32])
{
    long r = sys_fsync(o->fd);
    if (r < 0)
        return (int)-r;
    int err = map_fd(o->fd, &o->data, &o->len);
    if (err)
        return err;
    sys_close(o->fd);
    o->fd = -1;
    /* the sum first: NAME never exists without NAME.sum */
    path_buf sum_tmp, sum_path, final;
    store_path_tmp(&sum_tmp, o->name, ".sum.tmp.", true);
    long fd = sys_openat(LX_AT_FDCWD, sum_tmp.s, LX_O_WRONLY | LX_O_CREAT | LX_O_TRUNC | LX_O_CLOEXEC, 0644);
    if (fd < 0)
        return (int)-fd;
    char hex[NAME_HEX + 1];
    lk_hash_hex(sum, hex);
    hex[NAME_HEX] = '\n';
    err = transfer_all(SYS_pwrite64, (int)fd, (const uint8_t *)hex, NAME_HEX + 1, 0);
    sys_close((int)fd);
    if (err)
        return err;
    r = sys_renameat(LX_AT_FDCWD, sum_tmp.s, LX_AT_FDCWD, store_path_tmp(&sum_path, o->name, ".sum", false));
    if (r < 0)
        return (int)-r;
    r = sys_renameat(LX_AT_FDCWD, o->tmp_path, LX_AT_FDCWD, store_path_tmp(&final, o->name, "", false));
    if (r < 0)
        return (int)-r;
    o->tmp_path = NULL;
    return 0;
}

void plat_object_discard(loam_do *o)
{
    if (o->fd >= 0)
        sys_close(o->fd);
    o->fd = -1;
    if (o->tmp_path)
        sys_unlinkat(LX_AT_FDCWD, o->tmp_path, 0);
    o->tmp_path = NULL;
}

static int fsync_dir(const char *dir)
{
    long dfd = sys_openat(LX_AT_FDCWD, dir, LX_O_RDONLY | LX_O_DIRECTORY | LX_O_CLOEXEC, 0);
    if (dfd < 0)
        return (int)-dfd;
    long r = sys_fsync((int)dfd);
    sys_close((int)dfd);
    /* Some file systems cannot fsync a directory. */
    return r < 0 && r != -LX_EINVAL ? (int)-r : 0;
}

/* A copy next to path: DIR/.BASE.tmp.PID, fsync, rename never replacing. */
static int copy_to(loam_do *o, const char *path)
{
    int64_t plen = lk_strlen(path), dlen = lk_hosted_dir_len(path);
    int64_t start = dlen == 0 ? 0 : (dlen == 1 && path[0] == '/') ? 1 : dlen + 1;
    lk_line l = {.len = 0};
    lk_line_mem(&l, path, start);
    lk_line_str(&l, ".");
    lk_line_mem(&l, path + start, plen - start);
    lk_line_str(&l, ".tmp.");
    lk_line_int(&l, sys_getpid());
    char *tmp = lk_kstrdup(l.buf, l.len);
    long fd = sys_openat(LX_AT_FDCWD, tmp, LX_O_WRONLY | LX_O_CREAT | LX_O_EXCL | LX_O_CLOEXEC, 0644);
    if (fd < 0)
        return (int)-fd;
    int err = transfer_all(SYS_pwrite64, (int)fd, o->data, o->len, 0);
    long r = err ? 0 : sys_fsync((int)fd);
    sys_close((int)fd);
    if (!err && r < 0)
        err = (int)-r;
    if (!err) {
        r = sys_renameat2(LX_AT_FDCWD, tmp, LX_AT_FDCWD, path, LX_RENAME_NOREPLACE);
        if (r == -LX_EINVAL || r == -LX_ENOSYS) {
            /* The file system cannot refuse to replace: check, then rename. */
            int check = plat_output_check(path);
            r = check == 0 ? sys_renameat(LX_AT_FDCWD, tmp, LX_AT_FDCWD, path)
                           : check == LK_EXISTS ? -LX_EEXIST : -check;
        }
        if (r < 0)
            err = r == -LX_EEXIST ? LK_EXISTS : (int)-r;
    }
    if (err)
        sys_unlinkat(LX_AT_FDCWD, tmp, 0);
    return err;
}

int plat_materialise(loam_do *o, const char *path)
{
    static bool store_synced;
    if (!store_synced) {
        store_synced = true;
        fsync_dir(lk_opt.store);
    }
    path_buf b;
    long r = sys_call6(SYS_linkat, LX_AT_FDCWD, (long)store_path_tmp(&b, o->name, "", false),
                       LX_AT_FDCWD, (long)path, 0, 0);
    if (r == -LX_EEXIST)
        return LK_EXISTS;
    if (r < 0) {
        int err = copy_to(o, path);     /* another file system, or no links */
        if (err)
            return err;
    }
    return fsync_dir(lk_hosted_dir_of(path));
}
