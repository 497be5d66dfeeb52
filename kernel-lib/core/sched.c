/* sched.c — the cooperative scheduler: one worker per core, each running
 * tasks on their own stacks (mapped, with a guard page below, recycled
 * through a per-worker pool) with a user-space context switch. Nothing
 * pre-empts a task: it runs until it yields (through __loam_yield, when its
 * budget is spent), waits for a Ref, or ends.
 *
 * Run queues (spec/kernel.md §1): each worker has a deque under a spin lock.
 * A spawned child goes to the front of its parent's worker (it runs next,
 * so a tree unfolds depth-first and few stacks are live at once), and so
 * does a woken task; a task that yields goes to the back (every runnable
 * task runs before it runs again). A worker whose deque is empty steals from the back of
 * another's; when there is nothing to steal it sleeps on a futex until a
 * task becomes runnable or the image ends.
 *
 * The worker's loop runs on the worker's own stack; a yield is two switches
 * (task -> worker -> next task), so that what a task asked for (wait,
 * yield, end) is done by the worker after the task's registers are saved:
 * no other core can resume a task that is still running.
 */
#include "kernel.h"

/* A worker keeps up to POOL_MAX stacks of ended tasks for new ones: many
 * tasks may wait at once (a tree of spawns that read their children), and
 * an unmap costs more than the task (175 us with its TLB shootdown, against
 * ~100 us for a whole small task). Beyond POOL_WARM pooled stacks, the
 * memory of each is given back (plat_discard), all but its top page. */
enum { STACK_SIZE = 8 << 20, GUARD_SIZE = 4096, CHUNK_HEADER = 16, POOL_MAX = 1024, POOL_WARM = 64 };
enum { MAX_WORKERS = 256, INLINE_ARGS = 384 };

/* What the task asked of its worker when it switched away. */
enum task_state {
    TASK_NEW, TASK_RUNNING, TASK_YIELD, TASK_WAIT, TASK_WAIT_POOL, TASK_DONE, TASK_FAILED,
    TASK_SKIP,                  /* its outputs were in the store: reap it */
    TASK_LOOKUP,                /* waited for an identical spawn: look it up again */
};

typedef struct lk_context {
    void *sp;                   /* saved stack pointer; the rest is on the stack */
} lk_context;

struct lk_chunk {
    lk_chunk *next;
    int64_t bytes;              /* whole mapping, header included */
};

typedef struct lk_stack {
    struct lk_stack *next;      /* in the pool; lives at the stack's top */
} lk_stack;

struct lk_task {
    lk_context ctx;
    const loam_task *def;       /* NULL for lk_spawn's C tasks */
    const char *name;
    void (*entry)(loam_value *args);
    loam_value *args;
    uint8_t state;              /* enum task_state */
    int64_t home;               /* the worker whose free list it returns to */
    uint8_t *stack;             /* mapping of STACK_SIZE, guard page first */
    lk_arena arena;
    lk_task *next;              /* run queue, or a DO's waiters */
    lk_task *prev;              /* run queue */
    loam_do *outs;              /* outputs it commits when it ends */
    loam_do *wait_on;           /* TASK_WAIT(_POOL): the DO */
    int64_t wait_units;         /* TASK_WAIT_POOL: buffers wanted */
    lk_failure *failure;        /* TASK_FAILED: why */
    bool was_waiting;           /* counted in tasks_waiting */
    loam_do *last_read;         /* passed the handle table check */
    uint8_t inline_args[INLINE_ARGS];
};

typedef struct lk_worker {
    lk_context home;            /* the worker loop */
    lk_task *current;           /* NULL outside task context */
    int64_t id;
    lk_spin lock;               /* guards head/tail/queued */
    lk_task *head, *tail;
    int64_t queued;
    lk_task *free_tasks;        /* records, this worker only */
    lk_task *remote_free;       /* records of this worker freed elsewhere */
    lk_stack *free_stacks;      /* stacks, this worker only */
    int64_t pooled;
    uint8_t pad[64];
} lk_worker;

/* lk_switch(from, to): saves the callee-saved registers, the SSE control
 * word and the x87 control word (all preserved across calls by the SysV
 * ABI) on the current stack, stores the stack pointer in from->sp, and
 * resumes `to` from where it saved itself. A new task's stack is prepared
 * by task_stack_init to look like such a saved frame. */
void lk_switch(lk_context *from, lk_context *to);
__asm__(".text\n"
        ".globl lk_switch\n"
        ".type lk_switch, @function\n"
        "lk_switch:\n"
        "    push %rbp\n"
        "    push %rbx\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    sub $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    mov %rsp, (%rdi)\n"
        "    mov (%rsi), %rsp\n"
        "    ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    add $8, %rsp\n"
        "    pop %r15\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbx\n"
        "    pop %rbp\n"
        "    ret\n"
        ".size lk_switch, . - lk_switch\n");

static __thread lk_worker *self;        /* this thread's worker */
static lk_worker *workers;
static int64_t nworkers = 1;
static int64_t live;            /* tasks created and not yet ended */
static uint32_t wake_seq;       /* futex word: bumped when work appears */
static int64_t sleepers;
static int64_t searching;               /* idle workers polling the queues */
static bool all_done;
static lk_arena kernel_arena;
static bool io_thread;                  /* false: I/O is done inline */
int64_t lk_tasks_reused, lk_tasks_shared, lk_tasks_run;
static int64_t tasks_ended, tasks_waiting;
bool lk_stderr_tty;                     /* set by the platform before lk_main */

/* ---- run queues ---- */

/* A worker that finds nothing polls for a while (IDLE_SPIN rounds) before
 * it sleeps: work usually appears soon, and a futex wake costs microseconds.
 * A pusher wakes a sleeper only when nobody is polling (a poller re-checks
 * the queues after it stops polling, so no push is missed).
 *
 * The pusher stores the queue, then reads `sleepers`; the sleeper adds
 * itself to `sleepers`, then reads the queues. Each needs a full fence
 * between its store and its load: without one, x86 lets the load pass the
 * store, both read the old value, and the sleeper sleeps beside a queued
 * task (the two-core hang of the spin test). With one worker, a push by
 * the worker itself has nobody to wake, and skips the fence. */
enum { IDLE_SPIN = 4000 };

static void wake_one(void)
{
    if (nworkers == 1 && self)
        return;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&sleepers, __ATOMIC_SEQ_CST) > 0 &&
        __atomic_load_n(&searching, __ATOMIC_SEQ_CST) == 0) {
        __atomic_fetch_add(&wake_seq, 1, __ATOMIC_SEQ_CST);
        plat_futex_wake((_Atomic uint32_t *)&wake_seq, 1);
    }
}

static void push(lk_worker *w, lk_task *t, bool front)
{
    lk_lock(&w->lock);
    t->prev = t->next = NULL;
    w->queued++;
    if (!w->head) {
        w->head = w->tail = t;
    } else if (front) {
        t->next = w->head;
        w->head->prev = t;
        w->head = t;
    } else {
        t->prev = w->tail;
        w->tail->next = t;
        w->tail = t;
    }
    lk_unlock(&w->lock);
    wake_one();
}

/* From the front (own work) or the back (stealing). */
static lk_task *pop(lk_worker *w, bool back)
{
    if (!__atomic_load_n(&w->head, __ATOMIC_RELAXED))
        return NULL;
    lk_lock(&w->lock);
    lk_task *t = back ? w->tail : w->head;
    if (t) {
        w->queued--;
        if (back) {
            w->tail = t->prev;
            if (w->tail)
                w->tail->next = NULL;
            else
                w->head = NULL;
        } else {
            w->head = t->next;
            if (w->head)
                w->head->prev = NULL;
            else
                w->tail = NULL;
        }
        t->next = t->prev = NULL;
    }
    lk_unlock(&w->lock);
    return t;
}

/* Takes the older half of v's queue (from the back) for w: one steal
 * moves many small tasks, so that cores do not fight over a queue lock
 * task by task. Returns one of them to run; the rest go to w's queue. */
static lk_task *steal(lk_worker *w, lk_worker *v)
{
    if (!__atomic_load_n(&v->head, __ATOMIC_RELAXED))
        return NULL;
    lk_lock(&v->lock);
    int64_t take = (v->queued + 1) / 2;
    lk_task *first = NULL, *last = NULL;
    for (int64_t i = 0; i < take; i++) {
        lk_task *t = v->tail;
        v->tail = t->prev;
        if (v->tail)
            v->tail->next = NULL;
        else
            v->head = NULL;
        v->queued--;
        t->prev = NULL;
        t->next = first;        /* first..last keeps the victim's order */
        if (first)
            first->prev = t;
        else
            last = t;
        first = t;
    }
    lk_unlock(&v->lock);
    if (!first)
        return NULL;
    lk_task *run = first;
    first = first->next;
    run->next = run->prev = NULL;
    if (first) {
        first->prev = NULL;
        lk_lock(&w->lock);
        if (w->tail) {
            w->tail->next = first;
            first->prev = w->tail;
        } else {
            w->head = first;
        }
        w->tail = last;
        w->queued += take - 1;
        lk_unlock(&w->lock);
    }
    return run;
}

static lk_task *find_work(lk_worker *w)
{
    lk_task *t = pop(w, false);
    for (int64_t i = 1; !t && i < nworkers; i++)
        t = steal(w, &workers[(w->id + i) % nworkers]);
    return t;
}

/* A woken task goes to the front, as a new child does: it finishes what it
 * started before anything new starts, so a tree of spawns that read their
 * children unfolds depth first, with few stacks live at once. (A task that
 * yields goes to the back: every runnable task runs before it runs again.)
 * From the I/O thread, to the worker where the task was made. */
void lk_make_runnable(lk_task *t) { push(self ? self : &workers[t->home], t, true); }

/* ---- the progress line (spec/kernel.md §9) ---- */

enum { PROGRESS_AFTER = 1000000000, PROGRESS_EVERY = 250000000 };
static int64_t progress_next;
static bool progress_drawn;
static lk_spin progress_lock;

static void progress_draw(bool last)
{
    lk_line l = {.len = 0};
    lk_line_str(&l, "\r\033[K");
    if (!last) {
        int64_t ended = __atomic_load_n(&tasks_ended, __ATOMIC_RELAXED);
        int64_t waiting = __atomic_load_n(&tasks_waiting, __ATOMIC_RELAXED);
        int64_t alive = __atomic_load_n(&live, __ATOMIC_RELAXED);
        lk_line_str(&l, "loam: ");
        lk_line_int(&l, ended);
        lk_line_str(&l, " tasks done, ");
        lk_line_int(&l, alive > waiting ? alive - waiting : 0);
        lk_line_str(&l, " running or queued, ");
        lk_line_int(&l, waiting);
        lk_line_str(&l, " waiting; ");
        lk_line_int(&l, lk_bytes_in >> 20);
        lk_line_str(&l, " MiB in, ");
        lk_line_int(&l, __atomic_load_n(&lk_bytes_out, __ATOMIC_RELAXED) >> 20);
        lk_line_str(&l, " MiB out");
    }
    plat_write(LK_STDERR, l.buf, l.len);
}

/* Called by workers between tasks: redraws at most every 250 ms, once the
 * run has lasted a second, when stderr is a terminal. */
static void progress_tick(void)
{
    int64_t next = __atomic_load_n(&progress_next, __ATOMIC_RELAXED);
    if (!lk_stderr_tty || next == 0)
        return;
    int64_t now = plat_now_ns();
    if (now < next)
        return;
    lk_lock(&progress_lock);
    if (now >= progress_next) {
        progress_next = now + PROGRESS_EVERY;
        progress_drawn = true;
        progress_draw(false);
    }
    lk_unlock(&progress_lock);
}

/* ---- task records and stacks ---- */

/* Where a new task starts (reached by lk_switch's `ret`). */
static _Noreturn void task_main(void)
{
    lk_task *t = self->current;
    t->entry(t->args);
    t = self->current;
    t->state = TASK_DONE;
    lk_switch(&t->ctx, &self->home);
    __builtin_unreachable();
}

/* Lays out a frame that lk_switch pops: control words, six registers,
 * return address task_main; then a zero "return address" so that task_main
 * starts with the stack alignment of a called function (rsp % 16 == 8). */
static void task_stack_init(lk_task *t)
{
    uint64_t *top = (uint64_t *)(t->stack + STACK_SIZE);
    top[-1] = 0;
    top[-2] = (uint64_t)(uintptr_t)task_main;
    for (int i = 3; i <= 8; i++)
        top[-i] = 0;            /* rbp rbx r12 r13 r14 r15 */
    top[-9] = 0x1f80 | (uint64_t)0x037f << 32;  /* default MXCSR, x87 CW */
    t->ctx.sp = &top[-9];
}

static uint8_t *stack_get(lk_worker *w)
{
    if (w->free_stacks) {
        lk_stack *s = w->free_stacks;
        w->free_stacks = s->next;
        w->pooled--;
        return (uint8_t *)s - (STACK_SIZE - 64);
    }
    uint8_t *s = plat_map(STACK_SIZE);
    if (s && plat_guard(s, GUARD_SIZE) != 0) {
        plat_unmap(s, STACK_SIZE);
        s = NULL;
    }
    return s;
}

static void stack_put(lk_worker *w, uint8_t *stack)
{
    if (w->pooled >= POOL_MAX) {
        plat_unmap(stack, STACK_SIZE);
        return;
    }
    if (w->pooled >= POOL_WARM)
        plat_discard(stack + GUARD_SIZE, STACK_SIZE - GUARD_SIZE - 4096);
    lk_stack *s = (lk_stack *)(stack + STACK_SIZE - 64);
    s->next = w->free_stacks;
    w->free_stacks = s;
    w->pooled++;
}

static lk_task *task_new(const char *name, void (*entry)(loam_value *))
{
    lk_worker *w = self ? self : &workers[0];
    lk_task *t = w->free_tasks;
    if (!t && __atomic_load_n(&w->remote_free, __ATOMIC_RELAXED))
        t = __atomic_exchange_n(&w->remote_free, NULL, __ATOMIC_ACQUIRE);
    if (t) {
        w->free_tasks = t->next;
        memset(t, 0, sizeof *t - INLINE_ARGS);
    } else {
        t = lk_kalloc(sizeof *t);
    }
    t->home = w->id;
    t->name = name;
    t->entry = entry;
    t->state = TASK_NEW;
    return t;
}

/* A finished task's memory goes back: arena chunks to the system, the
 * stack and the record to the worker's pools. */
static void reap(lk_worker *w, lk_task *t)
{
    for (lk_chunk *c = t->arena.chunks, *next; c; c = next) {
        next = c->next;
        plat_unmap(c, c->bytes);
    }
    if (t->stack)
        stack_put(w, t->stack);
    __atomic_add_fetch(&tasks_ended, 1, __ATOMIC_RELAXED);
    if (t->home == w->id) {
        t->next = w->free_tasks;
        w->free_tasks = t;
    } else {                    /* back to its home worker's remote list */
        lk_worker *h = &workers[t->home];
        lk_task *head = __atomic_load_n(&h->remote_free, __ATOMIC_RELAXED);
        do
            t->next = head;
        while (!__atomic_compare_exchange_n(&h->remote_free, &head, t, true, __ATOMIC_RELEASE,
                                            __ATOMIC_RELAXED));
    }
    lk_live_done();
}

void lk_progress_end(void)
{
    if (progress_drawn)
        progress_draw(true);
}

void lk_live_add(void) { __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST); }

void lk_live_done(void)
{
    if (__atomic_sub_fetch(&live, 1, __ATOMIC_SEQ_CST) == 0) {
        __atomic_store_n(&all_done, true, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&wake_seq, 1, __ATOMIC_SEQ_CST);
        plat_futex_wake((_Atomic uint32_t *)&wake_seq, nworkers);
        lk_io_kick();
    }
}

int64_t lk_worker_id(void) { return self ? self->id : 0; }

static void start(lk_task *t, bool front)
{
    __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
    push(self ? self : &workers[0], t, front);
}

lk_task *lk_spawn(const char *name, void (*entry)(loam_value *args), loam_value *args)
{
    lk_task *t = task_new(name, entry);
    t->args = args;
    start(t, true);
    return t;
}

/* ---- spawn (spec/abi.md §8) ---- */

static int64_t task_count = -1;

static _Noreturn void spawn_misuse(const char *what)
{
    lk_line l = {.len = 0};
    lk_line_str(&l, "internal error: spawn: ");
    lk_line_str(&l, what);
    __loam_panic(lk_current_task_name(), l.buf);
}

/* Room for the child's copy of its arguments: slots, Str bytes, lists. */
static int64_t args_size(const loam_task *def, const loam_value *args)
{
    int64_t n = def->param_count * (int64_t)sizeof(loam_value);
    for (int64_t i = 0; i < def->param_count; i++) {
        if (def->params[i].kind == LOAM_P_STR)
            n += (args[i].s.len + 15) & ~(int64_t)15;
        else if (def->params[i].kind == LOAM_P_IN_LIST)
            n += (int64_t)sizeof(loam_dolist) + ((args[i].blobs->len * 8 + 15) & ~(int64_t)15);
    }
    return n;
}

loam_do *lk_spawn_task(int64_t index, const loam_value *args, loam_do *delegated)
{
    lk_task *parent = lk_current();
    if (task_count < 0) {
        int64_t n = 0;
        while (__loam_tasks[n].name)
            n++;
        task_count = n;
    }
    if (!parent)
        spawn_misuse("called outside task context");
    if (index < 0 || index >= task_count)
        spawn_misuse("no such task");
    const loam_task *def = &__loam_tasks[index];
    if (def->param_count > 0 && !args)
        spawn_misuse("no arguments");
    int64_t outs = 0;
    for (int64_t i = 0; i < def->param_count; i++) {
        uint8_t k = def->params[i].kind;
        if (k == LOAM_P_OUT)
            outs++;
        else if ((k == LOAM_P_IN && !args[i].blob) || (k == LOAM_P_IN_LIST && !args[i].blobs))
            spawn_misuse("missing input");
    }
    if (delegated) {
        if (outs != 1)
            spawn_misuse("delegation to a task without exactly one output");
        loam_do **link = &parent->outs;
        while (*link && *link != delegated)
            link = &(*link)->next_out;
        if (!*link)
            spawn_misuse("delegation of a handle that is not an output of the running task");
        if (delegated->buf_used > 0 || delegated->submitted > 0)
            spawn_misuse("delegation of an output that was written");
        *link = delegated->next_out;
    }

    lk_task *t = task_new(def->name, def->entry);
    t->def = def;
    /* The child's copy of its arguments. */
    int64_t need = args_size(def, args);
    uint8_t *mem = need <= INLINE_ARGS ? t->inline_args : lk_arena_chunk(&t->arena, need, false);
    if (!mem)
        __loam_panic(lk_current_task_name(), "out of memory");
    loam_value *copy = (loam_value *)mem;
    mem += def->param_count * (int64_t)sizeof(loam_value);
    loam_do *ref = NULL;
    for (int64_t i = 0; i < def->param_count; i++) {
        copy[i] = args[i];
        switch (def->params[i].kind) {
        case LOAM_P_STR:
            memcpy(mem, args[i].s.ptr, (size_t)args[i].s.len);
            copy[i].s.ptr = mem;
            mem += (args[i].s.len + 15) & ~(int64_t)15;
            break;
        case LOAM_P_IN_LIST: {
            loam_dolist *l = (loam_dolist *)mem;
            mem += sizeof *l;
            l->len = args[i].blobs->len;
            l->items = (loam_do **)mem;
            for (int64_t j = 0; j < l->len; j++) {
                l->items[j] = args[i].blobs->items[j];
                if (!l->items[j])
                    spawn_misuse("missing input in a list");
            }
            mem += (l->len * 8 + 15) & ~(int64_t)15;
            copy[i].blobs = l;
            break;
        }
        case LOAM_P_OUT: {
            loam_do *o = delegated;
            if (!o) {
                o = lk_kalloc(sizeof *o);
                o->mode = LK_DO_OUT;
                o->param = def->params[i].name;
                o->fd = -1;
                o->holder = parent;
                lk_do_track_output(o);
                ref = o;
            }
            o->producer = t;
            o->next_out = t->outs;
            t->outs = o;
            copy[i].blob = o;
            break;
        }
        default:
            break;
        }
    }
    t->args = copy;
    if (t->outs && !delegated)
        lk_name_outputs(def, copy);
    /* Memoisation: a task whose every output is in the store (unless
     * --force) or made by an identical spawn of this run does not run;
     * the I/O thread looks them up, then queues or reaps it. (Under
     * --force too: two identical tasks of one image would commit through
     * the same temporary file names.) */
    if (t->outs && !delegated) {
        lk_live_add();
        lk_io_lookup(t);
    } else {
        start(t, true);
    }
    return ref;
}

bool lk_lookup_later(lk_task *t, loam_do *first)
{
    t->state = TASK_LOOKUP;
    if (lk_do_add_waiter(first, t))
        return true;
    t->state = TASK_NEW;
    return false;
}

void lk_lookup_done(lk_task *t, bool found, bool shared)
{
    if (found) {
        for (loam_do *o = t->outs, *next; o; o = next) {
            next = o->next_out;
            o->producer = NULL;
            lk_do_settle(o, LK_COMMITTED);
        }
        t->outs = NULL;
        __atomic_add_fetch(shared ? &lk_tasks_shared : &lk_tasks_reused, 1, __ATOMIC_RELAXED);
        t->state = TASK_SKIP;
    }
    lk_make_runnable(t);        /* to the front, as lk_spawn's children */
}

/* ---- task context ---- */

void lk_yield(void)
{
    lk_worker *w = self;
    lk_task *t = w->current;
    /* With one worker, switch straight to the next task that has already
     * run (one switch instead of two): no other core can resume t before
     * its registers are saved, and the I/O thread only queues tasks. */
    if (nworkers == 1 && !lk_tracing) {
        lk_task *next = pop(w, false);
        if (!next) {
            __loam_budget = LK_BUDGET;          /* nothing else to run */
            return;
        }
        if (next->stack && next->state != TASK_SKIP) {
            if (next->was_waiting) {
                next->was_waiting = false;
                __atomic_sub_fetch(&tasks_waiting, 1, __ATOMIC_RELAXED);
            }
            push(w, t, false);
            next->state = TASK_RUNNING;
            w->current = next;
            __loam_budget = LK_BUDGET;
            if (lk_stderr_tty)
                progress_tick();
            lk_switch(&t->ctx, &next->ctx);
            return;
        }
        push(w, next, true);
    }
    t->state = TASK_YIELD;
    lk_switch(&t->ctx, &w->home);
}

void lk_wait_pool(loam_do *o, int64_t units)
{
    lk_task *t = self->current;
    t->state = TASK_WAIT_POOL;
    t->wait_on = o;
    t->wait_units = units;
    lk_switch(&t->ctx, &self->home);
}

void lk_wait_for(loam_do *d)
{
    lk_task *t = self->current;
    t->state = TASK_WAIT;
    t->wait_on = d;
    lk_switch(&t->ctx, &self->home);
}

_Noreturn void lk_task_fail(lk_failure *why)
{
    lk_task *t = self->current;
    t->state = TASK_FAILED;
    t->failure = why;
    lk_switch(&t->ctx, &self->home);
    __builtin_unreachable();
}

bool lk_stack_guard_hit(uintptr_t addr)
{
    /* Reads two words of the task: safe from a signal handler. */
    lk_task *t = self ? self->current : NULL;
    return t && addr - (uintptr_t)t->stack < GUARD_SIZE;
}

lk_task *lk_current(void) { return self ? self->current : NULL; }

lk_arena *lk_current_arena(void)
{
    lk_task *t = lk_current();
    return t ? &t->arena : &kernel_arena;
}

const char *lk_current_task_name(void)
{
    lk_task *t = lk_current();
    return t ? t->name : "kernel";
}

const char *lk_task_name(const lk_task *t) { return t->name; }

bool lk_task_holds(const lk_task *t, const loam_do *d)
{
    if (!t->def || d->holder == t)
        return true;
    for (int64_t i = 0; i < t->def->param_count; i++) {
        uint8_t kind = t->def->params[i].kind;
        if (kind == LOAM_P_IN && t->args[i].blob == d)
            return true;
        if (kind == LOAM_P_IN_LIST)
            for (int64_t j = 0; j < t->args[i].blobs->len; j++)
                if (t->args[i].blobs->items[j] == d)
                    return true;
    }
    return false;
}
loam_do **lk_task_outputs(lk_task *t) { return &t->outs; }
loam_do **lk_task_last_read(lk_task *t) { return &t->last_read; }
lk_task **lk_task_next_waiter(lk_task *t) { return &t->next; }

uint8_t *lk_arena_chunk(lk_arena *a, int64_t bytes, bool bump)
{
    int64_t total = (bytes + CHUNK_HEADER + 4095) & ~(int64_t)4095;
    lk_chunk *c = plat_map(total);
    if (!c)
        return NULL;
    c->bytes = total;
    c->next = a->chunks;
    a->chunks = c;
    uint8_t *p = (uint8_t *)c + CHUNK_HEADER;
    if (bump) {
        a->next = p;
        a->end = (uint8_t *)c + total;
    }
    return p;
}

/* ---- the worker loop ---- */

static lk_failure *no_stack_failure(lk_task *t)
{
    lk_failure *f = lk_kalloc(sizeof *f);
    f->task = t->name;
    f->reason = "panicked: there is no memory left for its stack";
    f->line = "loam: no memory left for a task's stack";
    f->direct_panic = true;
    return f;
}

/* Runs t until it switches back, then does what it asked for. */
static const char *const ended_as[] = {
    [TASK_YIELD] = "yield", [TASK_WAIT] = "wait", [TASK_WAIT_POOL] = "pool",
    [TASK_DONE] = "done", [TASK_FAILED] = "failed",
};

static void run_one(lk_worker *w, lk_task *t)
{
    if (t->state == TASK_SKIP) {
        reap(w, t);
        return;
    }
    if (t->state == TASK_LOOKUP) {
        t->state = TASK_NEW;
        lk_io_lookup(t);
        return;
    }
    if (t->was_waiting) {
        t->was_waiting = false;
        __atomic_sub_fetch(&tasks_waiting, 1, __ATOMIC_RELAXED);
    }
    if (t->state == TASK_NEW) {
        t->stack = stack_get(w);
        if (!t->stack) {
            lk_failure *f = no_stack_failure(t);
            lk_failure_record(f);
            lk_do_task_ended(t, false, f);
            reap(w, t);
            return;
        }
        task_stack_init(t);
        __atomic_add_fetch(&lk_tasks_run, 1, __ATOMIC_RELAXED);
    }
    t->state = TASK_RUNNING;
    w->current = t;
    __loam_budget = LK_BUDGET;
    int64_t t0 = lk_trace_now();
    lk_switch(&w->home, &t->ctx);
    t = w->current;             /* not the same task after a direct yield */
    w->current = NULL;
    if (lk_tracing)
        lk_trace_run(t->name, ended_as[t->state], t0);
    switch (t->state) {
    case TASK_YIELD:
        push(w, t, false);
        break;
    case TASK_WAIT: {
        loam_do *d = t->wait_on;
        t->wait_on = NULL;
        t->was_waiting = true;  /* before another core may resume it */
        __atomic_add_fetch(&tasks_waiting, 1, __ATOMIC_RELAXED);
        if (!lk_do_add_waiter(d, t))
            push(w, t, false);
        break;
    }
    case TASK_WAIT_POOL:
        t->was_waiting = true;  /* before another core may resume it */
        __atomic_add_fetch(&tasks_waiting, 1, __ATOMIC_RELAXED);
        if (!lk_pool_add_waiter(t->wait_on, t->wait_units, t))
            push(w, t, false);
        t->wait_on = NULL;
        break;
    case TASK_DONE:
        lk_do_task_ended(t, true, NULL);
        reap(w, t);
        break;
    case TASK_FAILED:
        lk_do_task_ended(t, false, t->failure);
        reap(w, t);
        break;
    default:
        break;
    }
}

static void worker_loop(lk_worker *w)
{
    for (;;) {
        lk_task *t = find_work(w);
        if (t) {
            run_one(w, t);
            progress_tick();
            continue;
        }
        if (__atomic_load_n(&all_done, __ATOMIC_SEQ_CST))
            return;
        if (nworkers == 1 && !io_thread)
            return;             /* nothing runnable and nobody else to make it so */
        __atomic_add_fetch(&searching, 1, __ATOMIC_SEQ_CST);
        for (int spin = 0; !t && spin < IDLE_SPIN && !__atomic_load_n(&all_done, __ATOMIC_RELAXED); spin++) {
            __builtin_ia32_pause();
            t = find_work(w);
        }
        __atomic_sub_fetch(&searching, 1, __ATOMIC_SEQ_CST);
        if (t) {
            run_one(w, t);
            continue;
        }
        uint32_t seq = __atomic_load_n(&wake_seq, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&sleepers, 1, __ATOMIC_SEQ_CST);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* see wake_one */
        t = find_work(w);
        if (!t && !__atomic_load_n(&all_done, __ATOMIC_SEQ_CST))
            plat_futex_wait((_Atomic uint32_t *)&wake_seq, seq, 0);
        __atomic_sub_fetch(&sleepers, 1, __ATOMIC_SEQ_CST);
        if (t)
            run_one(w, t);
    }
}

static const char *const core_names[] = {"core 0", "core 1", "core 2", "core 3", "core 4",
                                         "core 5", "core 6", "core 7", "core 8+"};

static void worker_thread(void *arg)
{
    self = arg;
    lk_trace_thread(core_names[self->id < 8 ? self->id : 8]);
    int err = lk_opt.sandbox ? plat_sandbox(false) : 0;
    if (err != 0 && err != LK_UNSUPPORTED) {
        static const char msg[] = "loam: error: cannot install the system call filter\n";
        plat_write(LK_STDERR, msg, sizeof msg - 1);
        plat_exit(LK_EXIT_IO);
    }
    worker_loop(self);
    for (;;)
        plat_futex_wait((_Atomic uint32_t *)&wake_seq, __atomic_load_n(&wake_seq, __ATOMIC_SEQ_CST), 0);
}

void lk_run_root(const loam_task *root, loam_value *args)
{
    int64_t cores = lk_opt.cores > 0 ? lk_opt.cores : plat_cpu_count();
    if (cores < 1)
        cores = 1;
    if (cores > MAX_WORKERS)
        cores = MAX_WORKERS;
    workers = lk_kalloc(cores * (int64_t)sizeof *workers);
    for (int64_t i = 0; i < cores; i++)
        workers[i].id = i;
    self = &workers[0];

    lk_task *t = task_new(root->name, root->entry);
    t->def = root;
    t->args = args;
    for (int64_t i = root->param_count - 1; i >= 0; i--) {
        if (root->params[i].kind == LOAM_P_OUT) {
            loam_do *o = args[i].blob;
            o->producer = t;
            o->next_out = t->outs;
            t->outs = o;
        }
    }
    lk_set_root(t);
    lk_name_outputs(root, args);
    bool reuse = t->outs != NULL && !lk_opt.force;
    for (loam_do *o = t->outs; reuse && o; o = o->next_out)
        reuse = lk_do_find_in_store(o);
    if (reuse) {
        for (loam_do *o = t->outs; o; o = o->next_out)
            __atomic_store_n(&o->state, LK_COMMITTED, __ATOMIC_RELEASE);
        lk_tasks_reused = 1;
        return;
    }
    start(t, true);
    if (lk_stderr_tty)
        progress_next = plat_now_ns() + PROGRESS_AFTER;
    lk_io_pool_init();
    lk_io_rings(cores);
    /* One thread per worker; this thread becomes the I/O thread. */
    nworkers = cores;
    self = NULL;
    io_thread = true;           /* before any worker looks at it */
    int64_t started = 0;
    while (started < cores && plat_thread_start(worker_thread, &workers[started], started) == 0)
        started++;
    if (started > 0) {
        lk_trace_thread("io");
        if (lk_opt.sandbox)
            plat_sandbox(true);
        lk_io_loop();
        return;
    }
    /* A platform without threads: one worker, I/O inline, on this thread. */
    nworkers = 1;
    io_thread = false;
    self = &workers[0];
    lk_io_inline();
    lk_trace_thread("core 0");
    worker_loop(self);
    if (__atomic_load_n(&live, __ATOMIC_SEQ_CST) != 0)
        lk_stall_exit();
}

/* ---- a run that cannot go on ----
 *
 * Tasks wait only for what their own spawns make, which cannot form a
 * cycle, except through sharing (§6): a task spawned with the arguments of
 * one that is waiting for it would wait for itself. Then every worker
 * sleeps and the I/O thread has nothing to do, for good. */

bool lk_stalled(void)
{
    static int64_t last_mark = -1;
    bool asleep = __atomic_load_n(&sleepers, __ATOMIC_SEQ_CST) == nworkers &&
                  __atomic_load_n(&live, __ATOMIC_SEQ_CST) > 0;
    for (int64_t i = 0; asleep && i < nworkers; i++)
        asleep = __atomic_load_n(&workers[i].head, __ATOMIC_SEQ_CST) == NULL;
    /* Twice in a row with nothing done in between: a worker on its way to
     * sleep is counted a moment before it looks at the queues once more. */
    int64_t mark = __atomic_load_n(&tasks_ended, __ATOMIC_RELAXED) +
                   __atomic_load_n(&lk_tasks_run, __ATOMIC_RELAXED) + __atomic_load_n(&wake_seq, __ATOMIC_SEQ_CST);
    bool stalled = asleep && mark == last_mark;
    last_mark = asleep ? mark : -1;
    return stalled;
}

_Noreturn void lk_stall_exit(void)
{
    static const char msg[] = "loam: error: the tasks left all wait for one another: a task was spawned "
                              "with the same arguments as a task that waits for it, so it waits for "
                              "itself (spec/language.md §6)\n";
    lk_console_flush();
    plat_write(LK_STDERR, msg, sizeof msg - 1);
    lk_do_discard_all();
    plat_store_close();
    plat_exit(LK_EXIT_PANIC);
}

bool lk_all_done(void) { return __atomic_load_n(&all_done, __ATOMIC_SEQ_CST); }
