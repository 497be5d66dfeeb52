/* do.c — data objects (spec/kernel.md §5, §6): inputs are read-only byte
 * ranges named by their content hash; outputs collect bytes in a buffer
 * that goes to a temporary object file in the store when full, and are
 * committed into the store (or discarded) when their producer ends. A Ref
 * is an output read by another task: the reader waits until the producer
 * has ended, and fails if the producer failed.
 *
 * A DO's state moves PENDING -> COMMITTED or PENDING -> FAILED once, under
 * do_lock together with its list of waiters; everything else about an
 * output belongs to its producer alone until then, and is immutable after.
 */
#include "kernel.h"

static loam_do *outputs;        /* every output of the image */
static loam_do *inputs;         /* every input bound on the command line */
static lk_spin do_lock;                 /* states and waiter lists */
lk_failure *lk_failures;
uint8_t lk_image_id[32];

void lk_do_track_output(loam_do *o)
{
    loam_do *head = __atomic_load_n(&outputs, __ATOMIC_RELAXED);
    do
        o->next_all = head;
    while (!__atomic_compare_exchange_n(&outputs, &head, o, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

void lk_do_track_input(loam_do *in)
{
    in->next_all = inputs;      /* binding runs on one thread */
    inputs = in;
}

bool lk_do_readonly_hit(uintptr_t addr)
{
    for (int list = 0; list < 2; list++) {
        loam_do *d = __atomic_load_n(list ? &outputs : &inputs, __ATOMIC_ACQUIRE);
        for (; d; d = d->next_all)
            if (d->data && __atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == LK_COMMITTED &&
                addr - (uintptr_t)d->data < (uintptr_t)d->len)
                return true;
    }
    return false;
}

void lk_failure_record(lk_failure *f)
{
    lk_failure *head = __atomic_load_n(&lk_failures, __ATOMIC_RELAXED);
    do
        f->next = head;
    while (!__atomic_compare_exchange_n(&lk_failures, &head, f, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

static _Noreturn void contract(const char *what)
{
    lk_line l = {.len = 0};
    lk_line_str(&l, "internal error: ");
    lk_line_str(&l, what);
    __loam_panic(lk_current_task_name(), l.buf);
}

/* The capability check of every write: an output, of the running task,
 * not handed on. */
static void check_writer(loam_do *o)
{
    if (!o || o->mode != LK_DO_OUT)
        contract("write to a handle that is not an output");
    if (o->producer != lk_current() || o->delegated ||
        __atomic_load_n(&o->state, __ATOMIC_RELAXED) != LK_PENDING)
        contract("write to an output that is not the running task's");
}

uint8_t *lk_out_reserve(loam_do *o, int64_t n)
{
    check_writer(o);
    if (n < 0 || n > (INT64_C(1) << 40))
        contract("request of a negative or impossible size");
    if (o->submitted == 0 && !o->buf)
        lk_hash_init(&o->sum);
    if (!o->buf || n > o->buf_cap - o->buf_used) {
        lk_io_write(o);                 /* hands over what is there */
        o->buf = lk_io_buffer(o, n);    /* may wait (backpressure) */
    }
    o->reserved = o->buf + o->buf_used;
    o->reserved_n = n;
    return o->reserved;
}

void lk_out_append(loam_do *o, uint8_t *p, int64_t used)
{
    check_writer(o);
    if (!o->reserved || p != o->reserved)
        contract("commit without a matching request");
    if (used < 0 || used > o->reserved_n)
        contract("commit of more bytes than requested");
    o->buf_used += used;
    o->reserved = NULL;
}

/* The running task waited for d, whose producer failed: it fails too, and
 * says why. */
static _Noreturn void fail_after_wait(loam_do *d)
{
    lk_failure *cause = d->failure;
    __atomic_store_n(&cause->observed, true, __ATOMIC_RELAXED);
    lk_line l = {.len = 0};
    lk_line_str(&l, "failed: it waited for '");
    lk_line_str(&l, cause->task);
    lk_line_str(&l, "' which ");
    lk_line_str(&l, cause->reason);
    lk_failure *f = lk_kalloc(sizeof *f);
    f->task = lk_current_task_name();
    f->reason = lk_kstrdup(l.buf, l.len);
    lk_failure_record(f);
    lk_task_fail(f);
}

loam_str lk_in_text(loam_do *in)
{
    if (!in)
        contract("read of a missing handle");
    lk_task *me = lk_current();
    if (me && *lk_task_last_read(me) != in) {   /* the handle table; a loop reads one handle */
        if (in->mode == LK_DO_OUT && in->producer == me)
            contract("read of an output of the running task");
        if (!lk_task_holds(me, in))
            contract("read of a data object the task was not given");
        *lk_task_last_read(me) = in;
    }
    if (in->mode == LK_DO_OUT) {
        if (in->producer == lk_current() && __atomic_load_n(&in->state, __ATOMIC_ACQUIRE) == LK_PENDING)
            contract("read of an output of the running task");
        for (;;) {
            uint8_t s = __atomic_load_n(&in->state, __ATOMIC_ACQUIRE);
            if (s == LK_COMMITTED)
                break;
            if (s == LK_FAILED)
                fail_after_wait(in);
            lk_do_release_buffers(lk_current());
            lk_wait_for(in);
        }
    } else if (in->mode != LK_DO_IN) {
        contract("read of a handle that is not an input");
    }
    return (loam_str){in->data, in->len};
}

bool lk_do_add_waiter(loam_do *d, lk_task *t)
{
    lk_lock(&do_lock);
    bool pending = __atomic_load_n(&d->state, __ATOMIC_RELAXED) == LK_PENDING;
    if (pending) {
        *lk_task_next_waiter(t) = d->waiters;
        d->waiters = t;
    }
    lk_unlock(&do_lock);
    return pending;
}

void lk_do_settle(loam_do *d, uint8_t state)
{
    lk_lock(&do_lock);
    __atomic_store_n(&d->state, state, __ATOMIC_RELEASE);
    lk_task *w = d->waiters;
    d->waiters = NULL;
    lk_unlock(&do_lock);
    while (w) {
        lk_task *next = *lk_task_next_waiter(w);
        lk_make_runnable(w);
        w = next;
    }
}

void lk_do_release_buffers(lk_task *t)
{
    for (loam_do *o = *lk_task_outputs(t); o; o = o->next_out)
        if (o->buf && !o->reserved)
            lk_io_write(o);
}

void lk_do_task_ended(lk_task *t, bool ok, lk_failure *why)
{
    loam_do *o = *lk_task_outputs(t);
    *lk_task_outputs(t) = NULL;
    for (loam_do *next; o; o = next) {
        next = o->next_out;
        o->producer = NULL;
        o->reserved = NULL;
        if (ok) {
            if (o->submitted == 0 && !o->buf)
                lk_hash_init(&o->sum);
            lk_io_end(o, true);         /* settled COMMITTED by the I/O thread */
        } else {
            o->failure = why;
            lk_io_end(o, false);
            lk_do_settle(o, LK_FAILED);
        }
    }
}

void lk_do_discard_all(void)
{
    for (loam_do *o = __atomic_load_n(&outputs, __ATOMIC_ACQUIRE); o; o = o->next_all)
        plat_object_discard(o);
}

/* ---- names (spec/kernel.md §6) ---- */

void lk_do_name_input(loam_do *in)
{
    lk_hash h;
    lk_hash_init(&h);
    lk_hash_add(&h, "loam input v1", 14);
    lk_hash_add(&h, in->data, in->len);
    lk_hash_end(&h, in->name);
}

static void add_u64(lk_hash *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> 8 * i);
    lk_hash_add(h, b, 8);
}

void lk_name_outputs(const loam_task *def, const loam_value *args)
{
    lk_hash h;
    lk_hash_init(&h);
    lk_hash_add(&h, "loam object v1", 15);
    lk_hash_add(&h, lk_image_id, 32);
    lk_hash_add(&h, def->name, lk_strlen(def->name) + 1);
    for (int64_t i = 0; i < def->param_count; i++) {
        uint8_t kind = def->params[i].kind;
        lk_hash_add(&h, &kind, 1);
        switch (kind) {
        case LOAM_P_INT: add_u64(&h, (uint64_t)args[i].i); break;
        case LOAM_P_FLOAT: {
            uint64_t bits;
            memcpy(&bits, &args[i].f, 8);
            add_u64(&h, bits);
            break;
        }
        case LOAM_P_BOOL: add_u64(&h, args[i].b); break;
        case LOAM_P_STR:
            add_u64(&h, (uint64_t)args[i].s.len);
            lk_hash_add(&h, args[i].s.ptr, args[i].s.len);
            break;
        case LOAM_P_IN: lk_hash_add(&h, args[i].blob->name, 32); break;
        case LOAM_P_IN_LIST:
            add_u64(&h, (uint64_t)args[i].blobs->len);
            for (int64_t j = 0; j < args[i].blobs->len; j++)
                lk_hash_add(&h, args[i].blobs->items[j]->name, 32);
            break;
        default: break;
        }
    }
    int64_t position = 0;
    for (int64_t i = 0; i < def->param_count; i++) {
        if (def->params[i].kind != LOAM_P_OUT)
            continue;
        lk_hash one = h;
        add_u64(&one, (uint64_t)position++);
        lk_hash_end(&one, args[i].blob->name);
    }
}

/* ---- the store ---- */

/* ---- the names of this run (I/O thread only) ---- */

/* The first output of this run to carry each name: a spawn that repeats
 * an earlier one (the same task with the same arguments and inputs) waits
 * for it and shares its outputs instead of making them a second time.
 * Open addressing on the name's first word, which as part of a SHA-256 is
 * already uniform. */
static loam_do **named;
static int64_t named_cap, named_len;

static void named_put(loam_do *o)
{
    uint64_t h;
    memcpy(&h, o->name, sizeof h);
    int64_t i = (int64_t)(h & (uint64_t)(named_cap - 1));
    while (named[i])
        i = (i + 1) & (named_cap - 1);
    named[i] = o;
}

loam_do *lk_do_first_named(loam_do *o)
{
    if (2 * (named_len + 1) > named_cap) {
        loam_do **old = named;
        int64_t old_cap = named_cap;
        named_cap = named_cap ? 2 * named_cap : 256;
        named = lk_kalloc(named_cap * (int64_t)sizeof *named);
        for (int64_t i = 0; i < old_cap; i++)
            if (old[i])
                named_put(old[i]);  /* the old table stays in the kernel arena */
    }
    uint64_t h;
    memcpy(&h, o->name, sizeof h);
    for (int64_t i = (int64_t)(h & (uint64_t)(named_cap - 1));; i = (i + 1) & (named_cap - 1)) {
        if (!named[i]) {
            named[i] = o;
            named_len++;
            return o;
        }
        if (memcmp(named[i]->name, o->name, 32) == 0)
            return named[i];
    }
}

bool lk_do_find_in_store(loam_do *o)
{
    if (lk_opt.force)
        return false;
    uint8_t sum[32];
    int err = plat_store_find(o->name, &o->data, &o->len, lk_opt.verify ? sum : NULL);
    if (err)
        return false;
    if (lk_opt.verify) {
        lk_hash h;
        uint8_t got[32];
        lk_hash_init(&h);
        lk_hash_add(&h, o->data, o->len);
        lk_hash_end(&h, got);
        if (memcmp(got, sum, 32) != 0) {
            char hex[65];
            lk_hash_hex(o->name, hex);
            lk_line l = {.len = 0};
            lk_line_str(&l, "loam: warning: store object ");
            lk_line_str(&l, hex);
            lk_line_str(&l, " does not match its content hash; it is made again\n");
            lk_say(&l);
            plat_content_release(o->data, o->len);
            o->data = NULL;
            o->len = 0;
            plat_store_remove(o->name);
            return false;
        }
    }
    return true;
}

void lk_do_materialise(void)
{
    for (loam_do *o = __atomic_load_n(&outputs, __ATOMIC_ACQUIRE); o; o = o->next_all) {
        if (!o->path)
            continue;
        int err = plat_materialise(o, o->path);
        if (err) {
            lk_line l = {.len = 0};
            lk_line_str(&l, "loam: error: cannot write output '");
            lk_line_str(&l, o->param);
            lk_line_str(&l, "' to '");
            lk_line_str(&l, o->path);
            lk_line_str(&l, "': ");
            lk_line_str(&l, err == LK_EXISTS ? "it exists already" : plat_strerror(err));
            lk_line_str(&l, "\n");
            lk_say(&l);
            plat_exit(LK_EXIT_IO);
        }
    }
}
