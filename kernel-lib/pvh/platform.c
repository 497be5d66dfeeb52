/* platform.c — the μVM side of the platform interface of core/kernel.h:
 * the serial console, the exit through isa-debug-exit, and the DO protocol
 * over virtio block devices (control.h has the disk layout).
 *
 * Inputs are read whole from the control disk into memory when bound.
 * Root outputs stream to their own disk (objects of spawned tasks stay in
 * memory); plat_materialise writes the output's result sector on the
 * control disk. The host turns the disk file
 * into the output (cut to length, fsync, rename) only after the guest has
 * exited — so, as in hosted mode, an output path holds either nothing or
 * the whole output.
 */
#include "pvh.h"
#include "control.h"

enum { COM1 = 0x3f8, COM2 = 0x2f8, LSR = 5, LSR_THRE = 0x20, DEBUG_EXIT_PORT = 0xf4 };
enum { SECTOR = 512, STAGE = 256 << 10, MAX_OUTPUTS = 32 };

void pvh_serial_write(int stream, const void *p, int64_t n)
{
    uint16_t port = stream == LK_STDERR ? COM2 : COM1;
    const uint8_t *b = p;
    for (int64_t i = 0; i < n; i++) {
        while (!(pvh_inb(port + LSR) & LSR_THRE))
            __asm__ volatile("pause");
        pvh_outb(port, b[i]);
    }
}

void plat_write(int stream, const void *p, int64_t n) { pvh_serial_write(stream, p, n); }

_Noreturn void pvh_exit(int status)
{
    pvh_outl(DEBUG_EXIT_PORT, (uint32_t)status + 1);
    /* No isa-debug-exit device: reset by a triple fault (QEMU with
     * -no-reboot then exits with status 0). */
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } none = {0, 0};
    __asm__ volatile("lidt %0; int3" ::"m"(none));
    for (;;)
        __asm__ volatile("cli; hlt");
}

_Noreturn void plat_exit(int status) { pvh_exit(status); }

const char *plat_strerror(int err)
{
    switch (err) {
    case 1: return "operation not permitted";
    case PVH_ENOENT: return "no such file or directory";
    case PVH_EIO: return "input/output error";
    case PVH_ENOMEM: return "out of memory";
    case PVH_EACCES: return "permission denied";
    case PVH_EEXIST: return "file exists";
    case PVH_ENOTDIR: return "a component of the path is not a directory";
    case PVH_EISDIR: return "is a directory";
    case PVH_EINVAL: return "invalid argument";
    case PVH_EFBIG: return "file too large";
    case PVH_ENOSPC: return "no space left on device";
    case 30: return "read-only file system";
    case 36: return "file name too long";
    case 40: return "too many symbolic links";
    case 122: return "disk quota exceeded";
    default: return "system error";
    }
}

/* ---- the control disk ---- */

static pvh_blk *control;
static uint8_t *header;         /* the whole header region */
static const loam_vm_header *info;

static const char *string_at(uint32_t offset)
{
    return offset < info->header_bytes ? (const char *)header + offset : "";
}

static _Noreturn void control_failure(const char *what)
{
    static const char prefix[] = "loam: error: the μVM's control disk ";
    pvh_serial_write(LK_STDERR, prefix, sizeof prefix - 1);
    pvh_serial_write(LK_STDERR, what, lk_strlen(what));
    pvh_serial_write(LK_STDERR, "\n", 1);
    pvh_exit(LK_EXIT_IO);
}

void pvh_control_init(int *argc, char ***argv)
{
    control = pvh_blk_find(LOAM_VM_CONTROL_ID);
    if (!control) {
        /* Booted by hand, without `loam run --vm`: no arguments. */
        static char *no_args[] = {"loam", NULL};
        *argc = 1;
        *argv = no_args;
        return;
    }
    static uint8_t first[SECTOR];
    if (pvh_blk_read(control, 0, first, SECTOR) != 0)
        control_failure("cannot be read");
    const loam_vm_header *h = (const loam_vm_header *)first;
    if (memcmp(h->magic, LOAM_VM_MAGIC, 8) != 0 || h->header_bytes % SECTOR ||
        h->header_bytes < SECTOR || h->header_bytes > pvh_blk_capacity(control))
        control_failure("is not one that 'loam run --vm' wrote");
    header = pvh_phys_map((int64_t)h->header_bytes);
    if (!header || pvh_blk_read(control, 0, header, (int64_t)h->header_bytes) != 0)
        control_failure("cannot be read");
    info = (const loam_vm_header *)header;
    if (info->outputs > MAX_OUTPUTS ||
        info->argv + 4ULL * info->argc > info->header_bytes ||
        info->input_table + sizeof(loam_vm_input) * info->inputs > info->header_bytes ||
        info->output_table + sizeof(loam_vm_output) * info->outputs > info->header_bytes)
        control_failure("is damaged");
    header[info->header_bytes - 1] = 0;  /* every string ends inside */
    const uint32_t *offsets = (const uint32_t *)(header + info->argv);
    char **args = lk_kalloc(((int64_t)info->argc + 1) * (int64_t)sizeof *args);
    for (uint32_t i = 0; i < info->argc; i++)
        args[i] = (char *)string_at(offsets[i]);
    *argc = (int)info->argc;
    *argv = args;
}

static const loam_vm_input *input_entry(const char *path)
{
    const loam_vm_input *t = info ? (const loam_vm_input *)(header + info->input_table) : NULL;
    for (uint32_t i = 0; t && i < info->inputs; i++)
        if (lk_streq(string_at(t[i].path), path))
            return &t[i];
    return NULL;
}

/* The index of path in the output table, or -1. */
static int output_index(const char *path)
{
    const loam_vm_output *t = info ? (const loam_vm_output *)(header + info->output_table) : NULL;
    for (uint32_t i = 0; t && i < info->outputs; i++)
        if (lk_streq(string_at(t[i].path), path))
            return (int)i;
    return -1;
}

int plat_input_open(const char *path, const uint8_t **data, int64_t *len)
{
    const loam_vm_input *in = input_entry(path);
    if (!in)
        return PVH_ENOENT;      /* not prepared by the host: it was not given */
    if (in->error)
        return in->error;
    int64_t padded = (int64_t)((in->len + SECTOR - 1) / SECTOR * SECTOR);
    uint8_t *buf = pvh_phys_map(padded > 0 ? padded : SECTOR);
    if (!buf)
        return PVH_ENOMEM;
    int err = pvh_blk_read(control, in->offset, buf, padded);
    if (err)
        return err;
    *data = buf;
    *len = (int64_t)in->len;
    return 0;
}

int plat_output_check(const char *path)
{
    int k = output_index(path);
    if (k < 0)
        return PVH_ENOENT;
    return ((const loam_vm_output *)(header + info->output_table))[k].check;
}

/* Objects. A root output (bound to a path the host prepared a disk for)
 * goes to its disk. Writes come with their offset (core/io.c); the usual
 * case, each write where the last one ended, collects in `stage` (bytes
 * [stage_at, stage_at + staged), stage_at sector-aligned) and reaches the
 * disk in whole STAGE-sized pieces; any other write goes to the disk at
 * once, reading and rewriting the sectors it covers only in part. Every
 * other object (the outputs of spawned tasks, read by other tasks through
 * Refs) lives in memory: while pending, o->data is its buffer (capacity:
 * the power of two from MEMORY_CHUNK up that holds o->len) and o->len the
 * end of what was written. */
enum { MEMORY_OBJECT = 1 << 20, MEMORY_CHUNK = 1 << 16 };

static struct out_state {
    pvh_blk *disk;
    uint8_t *stage;
    int64_t staged;
    uint64_t stage_at, length;
    bool committed;
} outs[MAX_OUTPUTS];

static int64_t memory_capacity(int64_t len)
{
    int64_t cap = MEMORY_CHUNK;
    while (cap < len)
        cap *= 2;
    return cap;
}

int plat_object_create(loam_do *o)
{
    int k = o->path ? output_index(o->path) : -1;
    if (k < 0) {
        o->fd = MEMORY_OBJECT;
        o->data = NULL;
        o->len = 0;
        return 0;
    }
    const loam_vm_output *e = (const loam_vm_output *)(header + info->output_table) + k;
    char id[32] = LOAM_VM_OUTPUT_ID;
    lk_line n = {.len = 0};
    lk_line_int(&n, k);
    memcpy(id + sizeof LOAM_VM_OUTPUT_ID - 1, n.buf, (size_t)n.len);
    struct out_state *s = &outs[k];
    s->disk = pvh_blk_find(id);
    if (!s->disk)
        return PVH_EIO;
    s->stage = pvh_phys_map(STAGE);
    if (!s->stage)
        return PVH_ENOMEM;
    o->fd = k;
    o->tmp_path = (char *)string_at(e->tmp_path);
    return 0;
}

static int memory_write(loam_do *o, const uint8_t *p, int64_t n, int64_t offset)
{
    int64_t cap = o->data ? memory_capacity(o->len) : 0;
    int64_t end = offset + n > o->len ? offset + n : o->len;
    if (end > cap) {
        int64_t bigger = memory_capacity(end);
        uint8_t *buf = plat_map(bigger);
        if (!buf)
            return PVH_ENOMEM;
        if (o->data) {
            memcpy(buf, o->data, (size_t)o->len);
            plat_unmap((void *)o->data, cap);
        }
        o->data = buf;
    }
    memcpy((uint8_t *)o->data + offset, p, (size_t)n);
    o->len = end;
    return 0;
}

/* n bytes at any offset: whole sectors straight from p, the partial first
 * and last sectors read, patched and written back. */
static int disk_write_at(pvh_blk *disk, uint64_t offset, const uint8_t *p, int64_t n)
{
    static uint8_t sector[SECTOR];
    while (n > 0) {
        uint64_t in_sector = offset % SECTOR;
        if (in_sector == 0 && n >= SECTOR) {
            int64_t whole = n / SECTOR * SECTOR;
            int err = pvh_blk_write(disk, offset, p, whole);
            if (err)
                return err;
            offset += (uint64_t)whole;
            p += whole;
            n -= whole;
            continue;
        }
        int64_t take = SECTOR - (int64_t)in_sector < n ? SECTOR - (int64_t)in_sector : n;
        int err = pvh_blk_read(disk, offset - in_sector, sector, SECTOR);
        if (!err) {
            memcpy(sector + in_sector, p, (size_t)take);
            err = pvh_blk_write(disk, offset - in_sector, sector, SECTOR);
        }
        if (err)
            return err;
        offset += (uint64_t)take;
        p += take;
        n -= take;
    }
    return 0;
}

static int flush_stage(struct out_state *s)
{
    int err = s->staged ? disk_write_at(s->disk, s->stage_at, s->stage, s->staged) : 0;
    s->stage_at += (uint64_t)s->staged;
    s->staged = 0;
    return err;
}

int plat_object_write(loam_do *o, const uint8_t *p, int64_t n, int64_t offset)
{
    if (o->fd == MEMORY_OBJECT)
        return memory_write(o, p, n, offset);
    struct out_state *s = &outs[o->fd];
    if ((uint64_t)(offset + n) > s->length)
        s->length = (uint64_t)(offset + n);
    bool appends = s->staged > 0 ? (uint64_t)offset == s->stage_at + (uint64_t)s->staged
                                 : offset % SECTOR == 0;
    if (!appends) {
        int err = flush_stage(s);
        return err ? err : disk_write_at(s->disk, (uint64_t)offset, p, n);
    }
    if (s->staged == 0)
        s->stage_at = (uint64_t)offset;
    while (n > 0) {
        if (s->staged == 0 && n >= STAGE) {
            /* Whole sectors straight from the caller's buffer. */
            int64_t direct = n / SECTOR * SECTOR;
            int err = pvh_blk_write(s->disk, s->stage_at, p, direct);
            if (err)
                return err;
            s->stage_at += (uint64_t)direct;
            p += direct;
            n -= direct;
            continue;
        }
        int64_t take = STAGE - s->staged < n ? STAGE - s->staged : n;
        memcpy(s->stage + s->staged, p, (size_t)take);
        s->staged += take;
        p += take;
        n -= take;
        if (s->staged == STAGE) {
            int err = pvh_blk_write(s->disk, s->stage_at, s->stage, STAGE);
            if (err)
                return err;
            s->stage_at += STAGE;
            s->staged = 0;
        }
    }
    return 0;
}

/* Writes go to the disk as they come: nothing to start early. */
void plat_object_flush(loam_do *o) { (void)o; }

/* The host keeps no store for a μVM. */
void plat_store_close(void) {}

void plat_content_release(const uint8_t *data, int64_t len)
{
    if (len > 0)
        plat_unmap((void *)data, len);
}

/* A disk object's bytes are all on its disk once the stage is written; it
 * becomes the output only when plat_materialise writes its result sector.
 * Its content is not mapped back (o->data stays NULL): nothing in the image
 * reads a root output. */
int plat_object_commit(loam_do *o, const uint8_t sum[32])
{
    if (o->fd == MEMORY_OBJECT)
        return 0;
    struct out_state *s = &outs[o->fd];
    int err = flush_stage(s);
    if (err)
        return err;
    s->committed = true;
    o->len = (int64_t)s->length;
    o->tmp_path = NULL;
    return 0;
}

void plat_object_discard(loam_do *o)
{
    /* A disk object is dropped by the host (no result sector); a memory
     * object's buffer goes back to the allocator. */
    if (o->fd == MEMORY_OBJECT && o->data && o->state == LK_PENDING) {
        plat_unmap((void *)o->data, memory_capacity(o->len));
        o->data = NULL;
        o->len = 0;
    }
    o->tmp_path = NULL;
}

int plat_materialise(loam_do *o, const char *path)
{
    int k = output_index(path);
    if (k < 0 || o->fd != k || !outs[k].committed)
        return PVH_EIO;         /* the host prepared no disk for it */
    static uint8_t result[SECTOR];
    memset(result, 0, sizeof result);
    loam_vm_result *r = (loam_vm_result *)result;
    memcpy(r->magic, LOAM_VM_DONE, 8);
    r->length = outs[k].length;
    return pvh_blk_write(control, info->results_offset + (uint64_t)k * SECTOR, result, SECTOR);
}

/* ---- what a single-core μVM without threads or a store answers ---- */

int plat_store_find(const uint8_t name[32], const uint8_t **data, int64_t *len, uint8_t sum[32])
{
    return LK_ABSENT;           /* every task runs: the μVM has no store */
}

void plat_store_remove(const uint8_t name[32]) {}
int64_t plat_cpu_count(void) { return 1; }
int plat_thread_start(void (*fn)(void *), void *arg, int64_t cpu) { return LK_UNSUPPORTED; }
void plat_pin(int64_t cpu) {}
bool plat_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns) { return true; }
void plat_futex_wake(_Atomic uint32_t *addr, int64_t n) {}
int plat_sandbox(bool io) { return LK_UNSUPPORTED; }   /* the hypervisor isolates */
int plat_trace_open(const char *path) { return LK_UNSUPPORTED; }
int plat_trace_write(const void *p, int64_t n) { return LK_UNSUPPORTED; }
int plat_trace_close(void) { return LK_UNSUPPORTED; }

/* The time stamp counter, taken to tick at 1 GHz when CPUID does not say
 * (QEMU's TCG passes the host's counter through). */
int64_t plat_now_ns(void)
{
    static uint64_t mhz;
    if (!mhz) {
        uint32_t a, b, c, d;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
        mhz = 1000;
        if (a >= 0x16) {
            __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x16));
            if (a & 0xffff)
                mhz = a & 0xffff;
        }
    }
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (int64_t)((((uint64_t)hi << 32 | lo) * 1000) / mhz);
}

/* core/sched.c calls this on each new worker thread; the μVM starts none,
 * and has no signals. */
void lk_hosted_signals_init(void) {}
