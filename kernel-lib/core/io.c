/* io.c — the centralised I/O of data objects (spec/kernel.md §5) and the
 * bounded buffer pool behind __loam_request.
 *
 * Workers never make a system call for DO data: they hand requests (write
 * this filled buffer at this offset, commit, discard, look these outputs
 * up in the store) to the I/O thread through one single-producer,
 * single-consumer ring per worker. The I/O thread does the writes, the
 * fsyncs and renames, maps committed objects for their readers, returns
 * buffers to the pool and wakes whoever waited. On a platform without
 * threads every request is carried out at once, inline.
 *
 * A task's writes may reach the I/O thread through several rings (a task
 * can move between workers when it yields), so writes carry their offset
 * and a commit waits until every byte before it is written.
 *
 * The pool: output buffers of BUF bytes, at most lk_opt.pool_bytes in use
 * in the whole image and lk_opt.task_bytes in flight per output. A request
 * that cannot get a buffer suspends the task until the I/O thread frees
 * one (backpressure). A task about to wait for a Ref first hands its
 * partly filled buffers over, so that waiting tasks never hold the pool.
 */
#include "kernel.h"

enum { RING = 256, IO_WRITE = 1, IO_COMMIT, IO_DISCARD, IO_LOOKUP };

typedef struct io_req {
    uint8_t kind;
    loam_do *d;
    lk_task *t;
    uint8_t *buf;
    int64_t len, off, units;
} io_req;

typedef struct io_ring {
    io_req slot[RING];
    uint64_t head;              /* next to consume (I/O thread) */
    uint8_t pad1[56];
    uint64_t tail;              /* next to fill (its worker) */
    uint8_t pad2[56];
} io_ring;

static io_ring *rings;
static int64_t nrings;
static bool inline_io = true;
static uint32_t io_seq;         /* futex word of the I/O thread */
static uint32_t io_sleeping;
static uint32_t space_seq;      /* futex word of workers waiting for ring space */
static uint32_t space_waiters;

/* ---- the pool ---- */

static lk_spin pool_lock;
static uint8_t *free_bufs;      /* linked through their first word */
static int64_t units_used, units_max, units_per_output;
static lk_task *pool_waiters;
int64_t lk_bytes_in, lk_bytes_out;
int64_t lk_pool_peak_units, lk_pool_waits;

void lk_io_pool_init(void)
{
    int64_t pool = lk_opt.pool_bytes > 0 ? lk_opt.pool_bytes : INT64_C(64) << 20;
    int64_t task = lk_opt.task_bytes > 0 ? lk_opt.task_bytes : INT64_C(256) << 10;
    units_max = pool / LK_BUF;
    units_per_output = task / LK_BUF;
    if (units_max < 2)
        units_max = 2;
    if (units_per_output < 1)
        units_per_output = 1;
}

static int64_t units_for(int64_t n) { return n <= LK_BUF ? 1 : (n + LK_BUF - 1) / LK_BUF; }

/* Whether o may take `units` more now. MUST hold pool_lock. */
static bool pool_room(loam_do *o, int64_t units)
{
    bool first = units_used == 0 && o->inflight == 0;   /* a huge request alone */
    return first || (o->inflight < units_per_output && units_used + units <= units_max);
}

/* A buffer of at least n bytes for o, or NULL when the pool is exhausted
 * for it (the caller then waits). Exits the task by panic when the system
 * has no memory. */
static uint8_t *pool_try(loam_do *o, int64_t n, int64_t *units_out)
{
    int64_t units = units_for(n);
    lk_lock(&pool_lock);
    if (!pool_room(o, units)) {
        lk_unlock(&pool_lock);
        return NULL;
    }
    units_used += units;
    if (units_used > lk_pool_peak_units)
        lk_pool_peak_units = units_used;
    uint8_t *b = NULL;
    if (units == 1 && free_bufs) {
        b = free_bufs;
        free_bufs = *(uint8_t **)b;
    }
    lk_unlock(&pool_lock);
    if (!b)
        b = plat_map(units * LK_BUF);
    if (!b) {
        lk_lock(&pool_lock);
        units_used -= units;
        lk_unlock(&pool_lock);
        __loam_panic(lk_current_task_name(), "out of memory");
    }
    *units_out = units;
    return b;
}

/* Back to the pool; wakes every task waiting for it (they check again). */
static void pool_put(loam_do *o, uint8_t *b, int64_t units, bool was_inflight)
{
    if (units > 1)
        plat_unmap(b, units * LK_BUF);
    lk_lock(&pool_lock);
    units_used -= units;
    if (was_inflight)
        o->inflight--;
    if (units == 1) {
        *(uint8_t **)b = free_bufs;
        free_bufs = b;
    }
    lk_task *w = pool_waiters;
    pool_waiters = NULL;
    lk_unlock(&pool_lock);
    while (w) {
        lk_task *next = *lk_task_next_waiter(w);
        lk_make_runnable(w);
        w = next;
    }
}

bool lk_pool_add_waiter(loam_do *o, int64_t units, lk_task *t)
{
    lk_lock(&pool_lock);
    bool wait = !pool_room(o, units);
    if (wait) {
        *lk_task_next_waiter(t) = pool_waiters;
        pool_waiters = t;
        lk_pool_waits++;
    }
    lk_unlock(&pool_lock);
    return wait;
}

uint8_t *lk_io_buffer(loam_do *o, int64_t n)
{
    for (;;) {
        uint8_t *b = pool_try(o, n, &o->buf_units);
        if (b) {
            o->buf_cap = o->buf_units * LK_BUF;
            return b;
        }
        lk_wait_pool(o, units_for(n));
    }
}

/* ---- the I/O side ---- */

static _Noreturn void io_failure(loam_do *o, const char *what, int err)
{
    lk_line l = {.len = 0};
    char hex[65];
    lk_hash_hex(o->name, hex);
    lk_line_str(&l, "loam: error: cannot ");
    lk_line_str(&l, what);
    lk_line_str(&l, " output '");
    lk_line_str(&l, o->param);
    lk_line_str(&l, "' (object ");
    lk_line_mem(&l, hex, 12);
    lk_line_str(&l, "...) in the store '");
    lk_line_str(&l, lk_opt.store);
    lk_line_str(&l, "': ");
    lk_line_str(&l, plat_strerror(err));
    lk_line_str(&l, "\n");
    lk_say(&l);
    lk_do_discard_all();
    plat_exit(LK_EXIT_IO);
}

static void ensure_file(loam_do *o)
{
    if (o->fd < 0) {
        int err = plat_object_create(o);
        if (err)
            io_failure(o, "create", err);
    }
}

/* Group commit: objects whose bytes are all written wait in a batch until
 * the I/O thread has nothing else to do (or the batch is full). Then the
 * writeback of every one is started before the first fsync, so that one
 * journal commit and overlapping device writes serve them all: a graph of
 * many small tasks no longer pays a whole fsync per object in turn. */
enum { COMMIT_BATCH = 64 };
static loam_do *batch_head, **batch_tail = &batch_head;
static int64_t batch_len;

static bool commit_batch(void)
{
    if (!batch_head)
        return false;
    loam_do *first = batch_head;
    batch_head = NULL;
    batch_tail = &batch_head;
    batch_len = 0;
    if (first->next_commit)
        for (loam_do *o = first; o; o = o->next_commit)
            plat_object_flush(o);
    for (loam_do *o = first, *next; o; o = next) {
        next = o->next_commit;
        o->next_commit = NULL;
        int64_t t0 = lk_trace_now();
        int err = plat_object_commit(o, o->sumval);
        if (err)
            io_failure(o, "commit", err);
        lk_do_settle(o, LK_COMMITTED);
        lk_trace_io("commit", o, t0);
        lk_live_done();
    }
    return true;
}

/* Every byte before the end request is written: commit (in the next
 * batch) or discard. */
static void finish(loam_do *o)
{
    uint8_t kind = o->end_kind;
    o->end_kind = 0;
    if (kind == IO_COMMIT) {
        ensure_file(o);
        *batch_tail = o;
        batch_tail = &o->next_commit;
        if (++batch_len >= COMMIT_BATCH)
            commit_batch();
        return;
    }
    int64_t t0 = lk_trace_now();
    plat_object_discard(o);
    lk_trace_io("discard", o, t0);
    lk_live_done();
}

/* Memoisation (spec/kernel.md §6). A task whose outputs an earlier spawn
 * of this run is still making waits for that spawn and is looked up again
 * when it has ended, then shares what it committed (or runs, if it
 * failed); a task whose outputs are all in the store does not run.
 * (Identical spawns have identical output names in the same order, so the
 * first output decides which one runs.) */
static void lookup(lk_task *t)
{
    int64_t t0 = lk_trace_now();
    bool found = true, shared = false;
    for (loam_do *d = *lk_task_outputs(t); d; d = d->next_out) {
        loam_do *first = lk_do_first_named(d);
        if (first == d) {
            found = found && lk_do_find_in_store(d);
            continue;
        }
        if (lk_lookup_later(t, first)) {
            lk_trace_io("lookup", NULL, t0);
            return;
        }
        if (__atomic_load_n(&first->state, __ATOMIC_ACQUIRE) == LK_COMMITTED) {
            d->data = first->data;      /* the same bytes, already mapped */
            d->len = first->len;
            shared = true;
        } else {
            found = false;
        }
    }
    lk_trace_io("lookup", NULL, t0);
    lk_lookup_done(t, found, shared);
}

static void carry_out(io_req *r)
{
    loam_do *o = r->d;
    switch (r->kind) {
    case IO_WRITE: {
        int64_t t0 = lk_trace_now();
        ensure_file(o);
        int err = plat_object_write(o, r->buf, r->len, r->off);
        if (err)
            io_failure(o, "write", err);
        o->io_done += r->len;
        __atomic_add_fetch(&lk_bytes_out, r->len, __ATOMIC_RELAXED);
        pool_put(o, r->buf, r->units, true);
        lk_trace_io("write", o, t0);
        if (o->end_kind && o->io_done == o->end_total)
            finish(o);
        break;
    }
    case IO_COMMIT:
    case IO_DISCARD:
        o->end_kind = r->kind;
        o->end_total = r->len;
        if (o->io_done == o->end_total)
            finish(o);
        break;
    case IO_LOOKUP:
        lookup(r->t);
        break;
    default:
        break;
    }
}

static bool drain(void)
{
    bool any = false;
    for (int64_t i = 0; i < nrings; i++) {
        io_ring *q = &rings[i];
        uint64_t head = q->head;
        while (head != __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE)) {
            io_req r = q->slot[head % RING];
            __atomic_store_n(&q->head, ++head, __ATOMIC_RELEASE);
            carry_out(&r);
            any = true;
        }
    }
    if (any) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* see ring_wait */
        if (__atomic_load_n(&space_waiters, __ATOMIC_SEQ_CST)) {
            __atomic_fetch_add(&space_seq, 1, __ATOMIC_SEQ_CST);
            plat_futex_wake((_Atomic uint32_t *)&space_seq, 1 << 30);
        }
    }
    return any;
}

void lk_io_kick(void)
{
    __atomic_fetch_add(&io_seq, 1, __ATOMIC_SEQ_CST);
    plat_futex_wake((_Atomic uint32_t *)&io_seq, 1);
}

/* While idle, the I/O thread looks every STALL_CHECK_NS whether the
 * tasks have stopped for good (sched.c, lk_stalled). */
enum { STALL_CHECK_NS = 500000000 };

void lk_io_loop(void)
{
    for (;;) {
        if (drain() || commit_batch())
            continue;
        if (lk_all_done())
            return;
        uint32_t seq = __atomic_load_n(&io_seq, __ATOMIC_SEQ_CST);
        __atomic_store_n(&io_sleeping, 1, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* see submit */
        if (!drain() && !lk_all_done() &&
            !plat_futex_wait((_Atomic uint32_t *)&io_seq, seq, STALL_CHECK_NS) && lk_stalled())
            lk_stall_exit();
        __atomic_store_n(&io_sleeping, 0, __ATOMIC_SEQ_CST);
    }
}

static bool ring_full(io_ring *q)
{
    return q->tail - __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) >= RING;
}

/* The worker's ring is full: the I/O thread is behind (often in an
 * fsync). Polls for a moment, then sleeps until the I/O thread has taken
 * requests from a ring; a worker that called futex_wake on every poll
 * spent more CPU time in the kernel than the task graph took to run. */
enum { RING_SPIN = 200 };

static void ring_wait(io_ring *q)
{
    for (int spin = 0; ring_full(q); spin++) {
        if (spin < RING_SPIN) {
            __builtin_ia32_pause();
            continue;
        }
        uint32_t seq = __atomic_load_n(&space_seq, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&space_waiters, 1, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (ring_full(q)) {
            if (__atomic_load_n(&io_sleeping, __ATOMIC_SEQ_CST))
                lk_io_kick();
            plat_futex_wait((_Atomic uint32_t *)&space_seq, seq, 0);
        }
        __atomic_sub_fetch(&space_waiters, 1, __ATOMIC_SEQ_CST);
    }
}

static void submit(int64_t worker, io_req r)
{
    if (inline_io) {
        carry_out(&r);
        commit_batch();
        return;
    }
    io_ring *q = &rings[worker];
    uint64_t tail = q->tail;
    if (ring_full(q))
        ring_wait(q);
    q->slot[tail % RING] = r;
    __atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
    /* Store the tail, then read io_sleeping, in that order (the I/O thread
     * does the opposite): otherwise both can miss the other's store. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&io_sleeping, __ATOMIC_SEQ_CST))
        lk_io_kick();
}

void lk_io_rings(int64_t workers)
{
    nrings = workers;
    rings = lk_kalloc(workers * (int64_t)sizeof *rings);
    inline_io = false;
}

void lk_io_inline(void) { inline_io = true; }

/* ---- the worker side ---- */

void lk_io_write(loam_do *o)
{
    if (!o->buf)
        return;
    if (o->buf_used == 0) {
        pool_put(o, o->buf, o->buf_units, false);
    } else {
        lk_hash_add(&o->sum, o->buf, o->buf_used);
        lk_lock(&pool_lock);
        o->inflight++;
        lk_unlock(&pool_lock);
        submit(lk_worker_id(), (io_req){IO_WRITE, o, NULL, o->buf, o->buf_used, o->submitted, o->buf_units});
        o->submitted += o->buf_used;
    }
    o->buf = NULL;
    o->buf_used = o->buf_cap = o->buf_units = 0;
}

void lk_io_end(loam_do *o, bool commit)
{
    lk_live_add();
    if (commit) {
        lk_io_write(o);
        lk_hash_end(&o->sum, o->sumval);
    } else if (o->buf) {
        pool_put(o, o->buf, o->buf_units, false);
        o->buf = NULL;
    }
    submit(lk_worker_id(), (io_req){commit ? IO_COMMIT : IO_DISCARD, o, NULL, NULL, o->submitted, 0, 0});
}

void lk_io_lookup(lk_task *t)
{
    submit(lk_worker_id(), (io_req){IO_LOOKUP, NULL, t, NULL, 0, 0, 0});
}
