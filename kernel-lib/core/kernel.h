/* kernel.h — what the parts of kernel-lib share and nobody else sees: the
 * data object and task records, the kernel's own allocator and locks, a
 * line builder for messages, and the platform interface that each target
 * folder (hosted/, pvh/) implements.
 *
 * Platform interface changes (issue 4; for pvh/):
 *   - removed plat_output_create/write/commit/discard: outputs are now
 *     objects of the store, see plat_object_* and plat_materialise;
 *   - added plat_cpu_count, plat_thread_start, plat_pin, plat_futex_wait/
 *     wake, plat_now_ns, plat_image_id, plat_store_find/remove,
 *     plat_object_* (plat_object_write takes the offset), plat_materialise,
 *     plat_sandbox, plat_trace_*. Each contract says what a single-core
 *     platform without threads does (mostly: nothing, or "return
 *     LK_UNSUPPORTED"); when plat_thread_start fails for the first worker,
 *     the kernel runs everything on the calling thread, I/O inline.
 *   - the platform may set lk_stderr_tty before lk_main (progress line).
 *   - lk_hosted_signals_init is no longer called by core/ (hosted/ calls it
 *     on each thread it starts).
 */
#ifndef LK_KERNEL_H
#define LK_KERNEL_H

#include "lk.h"

/* ---- locks: test-and-set spin locks; held only for a few instructions ---- */

typedef struct lk_spin {
    uint32_t held;
} lk_spin;

static inline void lk_lock(lk_spin *l)
{
    while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}

static inline void lk_unlock(lk_spin *l) { __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE); }

/* ---- hashing (core/hash.c): SHA-256 ---- */

typedef struct lk_hash {
    uint32_t h[8];
    uint64_t total;
    uint8_t buf[64];
    int64_t used;
} lk_hash;

void lk_hash_init(lk_hash *s);
void lk_hash_add(lk_hash *s, const void *data, int64_t n);
void lk_hash_end(lk_hash *s, uint8_t out[32]);
void lk_hash_hex(const uint8_t digest[32], char out[65]);

/* ---- failures (core/do.c) ---- */

/* Why a task failed: "panicked: LINE" or "failed: it waited for 'P' which
 * <P's reason>". Kept until the image ends; printed then unless another
 * task observed it (and so repeats it in its own reason). */
typedef struct lk_failure {
    const char *task;
    const char *reason;
    bool direct_panic;          /* reason is "panicked: " + line */
    bool root_panic;            /* the root task's own: printed bare */
    const char *line;           /* the panic line itself, for the root */
    bool observed;
    struct lk_failure *next;
} lk_failure;

/* ---- data objects ---- */

enum lk_do_mode { LK_DO_IN, LK_DO_OUT };
/* An output is PENDING until its producer ends, then COMMITTED (its content
 * is in the store and mapped) or FAILED. Inputs are born COMMITTED. */
enum lk_do_state { LK_PENDING, LK_COMMITTED, LK_FAILED };

struct loam_do {
    uint8_t mode;               /* enum lk_do_mode */
    uint8_t state;      /* enum lk_do_state */
    bool delegated;             /* the producer handed it on (tail spawn) */
    const char *param;          /* the task parameter it was made for */
    const char *path;           /* bound on the command line, else NULL */
    uint8_t name[32];           /* fixed before the producer runs (§6) */
    /* content once committed (inputs: from the start), read-only */
    const uint8_t *data;
    int64_t len;
    /* while pending */
    lk_task *producer;
    lk_task *holder;            /* the task that spawned it (holds the Ref) */
    lk_task *waiters;           /* tasks waiting for the commit */
    lk_failure *failure;        /* when FAILED */
    /* writing, producer side: bytes go to buf (from the pool), which goes
     * to the I/O thread when full */
    uint8_t *buf;
    int64_t buf_used, buf_cap, buf_units;
    uint8_t *reserved;          /* last lk_out_reserve result */
    int64_t reserved_n;
    int64_t submitted;          /* bytes handed to the I/O thread */
    lk_hash sum;                /* content hash of what was submitted */
    uint8_t sumval[32];         /* its final value, for the commit */
    int64_t inflight;           /* buffers at the I/O thread (pool_lock) */
    /* writing, I/O side: the temporary object file */
    int fd;                     /* -1 when none */
    char *tmp_path;
    int64_t io_done;            /* bytes written to it */
    uint8_t end_kind;           /* commit or discard requested */
    int64_t end_total;          /* ... once io_done reaches this */
    struct loam_do *next_commit;        /* in the I/O thread's commit batch */
    struct loam_do *next_out;   /* the producer's outputs */
    struct loam_do *next_all;   /* every output of the image */
};

/* MUST: o is new (zeroed apart from mode/param/path). Registers it in the
 * list that lk_do_discard_all walks. Thread-safe. */
void lk_do_track_output(loam_do *o);
/* Registers an input bound on the command line (binding time only). */
void lk_do_track_input(loam_do *in);
/* Whether addr lies in a read-only DO mapping (an input, a committed
 * object). Signal-safe. */
bool lk_do_readonly_hit(uintptr_t addr);
/* Deletes every temporary file; commits nothing. Never fails; callable
 * from a signal handler (best effort). */
void lk_do_discard_all(void);
/* At the end of task t: hands each output it still owns to the I/O
 * thread for commit (ok), or fails it at once and has it discarded. */
void lk_do_task_ended(lk_task *t, bool ok, lk_failure *why);
/* Sets d's final state and makes its waiters runnable. */
void lk_do_settle(loam_do *d, uint8_t state);
/* Before the running task waits: hands its partly filled buffers over. */
void lk_do_release_buffers(lk_task *t);
/* Looks o up in the store (unless --force); if present, maps it, marks it
 * COMMITTED and returns true. */
bool lk_do_find_in_store(loam_do *o);
/* I/O thread only: the first output of this run named like o (o itself
 * when it is the first, which registers it). */
loam_do *lk_do_first_named(loam_do *o);
/* The content hash of an input (its name). */
void lk_do_name_input(loam_do *in);
/* MUST: every task has ended and the root's outputs committed. Puts each
 * at its bound path (hard link or copy). Exits 1 on failure. */
void lk_do_materialise(void);
/* Worker side of a wait: queues t on d and returns true, or returns false
 * when d is no longer PENDING (t must then be resumed). */
bool lk_do_add_waiter(loam_do *d, lk_task *t);

/* ---- I/O (core/io.c) ---- */

enum { LK_BUF = 1 << 16 };      /* one pool buffer */

void lk_io_pool_init(void);
/* One ring per worker: requests go to the I/O thread (lk_io_loop). */
void lk_io_rings(int64_t workers);
/* Or: every request is carried out at once (a platform without threads). */
void lk_io_inline(void);
/* The calling thread serves the rings until every task has ended. */
void lk_io_loop(void);
/* Wakes the I/O thread. */
void lk_io_kick(void);
/* A buffer of >= n bytes for output o (sets o->buf_units); MAY suspend
 * the running task until the pool has room. */
uint8_t *lk_io_buffer(loam_do *o, int64_t n);
/* Hands o's filled buffer to the I/O thread (an empty one back to the
 * pool); o->buf is NULL after. */
void lk_io_write(loam_do *o);
/* The producer ended: commit (after the last write) or discard o. */
void lk_io_end(loam_do *o, bool commit);
/* Looks t's outputs up in the store, then calls lk_lookup_done. */
void lk_io_lookup(lk_task *t);
/* Worker side of a pool wait: queues t unless o may take `units` now. */
bool lk_pool_add_waiter(loam_do *o, int64_t units, lk_task *t);
extern int64_t lk_pool_peak_units, lk_pool_waits;

/* ---- trace (core/trace.c) ---- */

extern bool lk_tracing;
int lk_trace_begin(void);       /* opens --trace FILE; starts the clock */
int lk_trace_end(void);         /* writes the JSON */
void lk_trace_thread(const char *name);
int64_t lk_trace_now(void);     /* 0 when not tracing */
void lk_trace_run(const char *task, const char *ended, int64_t t0);
void lk_trace_io(const char *what, loam_do *o, int64_t t0);

/* ---- runtime/mem.c (clang may also call these on its own) ---- */

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* ---- the kernel's own memory: bump, never freed; thread-safe ---- */

void *lk_kalloc(int64_t size);  /* zeroed, 16-aligned; exits 1 when out of memory */
char *lk_kstrdup(const char *s, int64_t n);

/* ---- one line of text for stderr/stdout ---- */

typedef struct lk_line {
    char buf[1024];
    int64_t len;                /* silently truncated at sizeof buf */
} lk_line;

void lk_line_str(lk_line *l, const char *s);
void lk_line_mem(lk_line *l, const void *p, int64_t n);
void lk_line_int(lk_line *l, int64_t v);
int64_t lk_strlen(const char *s);
bool lk_streq(const char *a, const char *b);
/* Writes a whole line to stderr at once (console flushed first). */
void lk_say(const lk_line *l);

/* ---- options (parsed by core/bind.c) ---- */

typedef struct lk_options {
    int64_t cores;              /* 0: plat_cpu_count() */
    const char *store;          /* ".loam/store" */
    const char *trace;          /* NULL: no trace */
    bool force, verify;
    int64_t pool_bytes;         /* output buffer pool of the image */
    int64_t task_bytes;         /* output buffers in flight per output */
    bool sandbox;               /* install the system call filter */
} lk_options;

extern lk_options lk_opt;
extern uint8_t lk_image_id[32];

/* ---- tasks (core/sched.c) ---- */

/* Called by the platform's entry point once the process can run C code with
 * TLS: binds argv to the root task, runs it, commits, exits. */
_Noreturn void lk_main(int argc, char **argv);
/* core/bind.c: parses kernel options into lk_opt and fills
 * args[0..param_count) from the bindings, or prints one line and exits 2
 * (nothing written). Exits 0 after usage on --help. Root outputs are
 * created (PENDING, path set); inputs are read and named; the trace file
 * is created last. */
void lk_bind(const loam_task *t, int argc, char **argv, loam_value *args);
/* Computes the names of t's outputs from its arguments (§6). */
void lk_name_outputs(const loam_task *def, const loam_value *args);
/* core/sched.c: creates the root task over args (kernel memory), or finds
 * its outputs in the store; starts the workers and serves I/O (or runs
 * everything inline) until every task has ended and every commit is done. */
void lk_run_root(const loam_task *root, loam_value *args);
/* core/sched.c: whether addr lies in the running task's stack guard page. */
bool lk_stack_guard_hit(uintptr_t addr);
/* core/main.c: which task is the root (its own panic prints bare). */
void lk_set_root(lk_task *t);
/* Makes a waiting task runnable again (kernel context). */
void lk_make_runnable(lk_task *t);
/* The running task (NULL in kernel context). */
lk_task *lk_current(void);
/* The handle table check: whether t was given d (an argument, an item of
 * a list argument) or got it as a Ref from its own spawn. */
bool lk_task_holds(const lk_task *t, const loam_do *d);
/* Fields of a task other files need. */
const char *lk_task_name(const lk_task *t);
loam_do **lk_task_outputs(lk_task *t);
loam_do **lk_task_last_read(lk_task *t);
lk_task **lk_task_next_waiter(lk_task *t);
/* Suspends the running task until d is no longer PENDING. */
void lk_wait_for(loam_do *d);
/* Suspends the running task until output o may take `units` buffers. */
void lk_wait_pool(loam_do *o, int64_t units);
/* The I/O thread looked t's outputs up: reuse them (found) or run t.
 * `shared`: they were made earlier in this run (by the same spawn). */
void lk_lookup_done(lk_task *t, bool found, bool shared);
/* t repeats the spawn whose output `first` is: unless `first` is settled
 * already (false), t is looked up again once it is. */
bool lk_lookup_later(lk_task *t, loam_do *first);
/* Whether no task can ever run again (checked by the idle I/O thread);
 * lk_stall_exit says so and ends the image (status 101). */
bool lk_stalled(void);
_Noreturn void lk_stall_exit(void);
/* Work that keeps the image alive besides tasks (a commit in flight). */
void lk_live_add(void);
void lk_live_done(void);
/* Whether every task has ended and every commit is done. */
bool lk_all_done(void);
/* This thread's worker number (0 outside a worker). */
int64_t lk_worker_id(void);
/* Ends the running task as failed with `why` (kernel memory). */
_Noreturn void lk_task_fail(lk_failure *why);
/* Whole-image counters, for the end-of-run summary and the progress line. */
extern int64_t lk_tasks_reused, lk_tasks_shared, lk_tasks_run, lk_bytes_in, lk_bytes_out;
/* Set by the platform before lk_main when stderr is a terminal: long runs
 * then show a progress line there (erased by lk_progress_end). */
extern bool lk_stderr_tty;
void lk_progress_end(void);
/* Failures recorded so far (core/do.c) */
extern lk_failure *lk_failures;
void lk_failure_record(lk_failure *f);

/* hosted/signal.c: termination signals discard outputs; a stack overflow
 * panics. Called once at start-up, after TLS, and on each new thread. */
void lk_hosted_signals_init(void);

/* ---- platform interface (hosted/platform.c) ----
 * The I/O thread calls plat_store_find, plat_object_* (one object at a
 * time, from one thread); workers call plat_map/unmap/guard, plat_write
 * (console), plat_futex_*, plat_now_ns; the main thread everything else. */

enum { LK_STDOUT = 1, LK_STDERR = 2 };
enum { LK_EXIT_OK = 0, LK_EXIT_IO = 1, LK_EXIT_USAGE = 2, LK_EXIT_PANIC = 101 };
enum { LK_EXISTS = -1, LK_ABSENT = -2, LK_UNSUPPORTED = -3 };

/* Errors are positive platform codes; plat_strerror names them. */
void plat_write(int stream, const void *p, int64_t n);      /* best effort */
_Noreturn void plat_exit(int status);
void *plat_map(int64_t bytes);          /* zeroed pages, NULL on failure */
void plat_unmap(void *p, int64_t bytes);
int plat_guard(void *p, int64_t bytes); /* make pages inaccessible */
/* The system may take the pages' memory back (they read as zero or as
 * they were); the range stays mapped. May do nothing. */
void plat_discard(void *p, int64_t bytes);
const char *plat_strerror(int err);
/* Inputs: the whole content of path, read-only (mapped when it is a file). */
int plat_input_open(const char *path, const uint8_t **data, int64_t *len);
/* Outputs: 0 if path does not exist yet and its directory does, LK_EXISTS
 * if it exists, else an error code. */
int plat_output_check(const char *path);

/* The image's identity: SHA-256 of the bytes of its loaded segments as the
 * file holds them (hosted: hashed by start-up before anything runs). */
void plat_image_id(uint8_t out[32]);
/* Processors this image may run on (hosted: sched_getaffinity). A platform
 * without threads returns 1. */
int64_t plat_cpu_count(void);
/* Starts fn(arg) on a new thread pinned to the cpu-th processor of the
 * image's affinity mask (unpinned when cpu < 0), with its own stack and its own copy of the static TLS
 * block. Returns 0 or an error; a platform without threads returns
 * LK_UNSUPPORTED, and the kernel then runs on one core, I/O inline. */
int plat_thread_start(void (*fn)(void *), void *arg, int64_t cpu);
/* Pins the calling thread to the cpu-th processor (ignored without threads). */
void plat_pin(int64_t cpu);
/* Sleeps while *addr == expected (or until woken; spurious returns are
 * fine), at most timeout_ns when that is not 0; false when the time ran
 * out. Never called on a platform without threads. */
bool plat_futex_wait(_Atomic uint32_t *addr, uint32_t expected, int64_t timeout_ns);
void plat_futex_wake(_Atomic uint32_t *addr, int64_t n);
/* Monotonic nanoseconds, for the trace and the progress line. */
int64_t plat_now_ns(void);

/* The store (spec/kernel.md §6): objects are files named by the hex of
 * their 32-byte name, with NAME.sum (hex content hash) beside them.
 * plat_store_find: 0 and the content mapped read-only if the object
 * exists; LK_ABSENT if not; else an error. Unless NULL, `sum` receives
 * the recorded content hash (all zero when NAME.sum is missing). */
int plat_store_find(const uint8_t name[32], const uint8_t **data, int64_t *len, uint8_t sum[32]);
/* Gives back what plat_store_find read an object into (len bytes). */
void plat_content_release(const uint8_t *data, int64_t len);
/* Removes a (corrupt) object. */
void plat_store_remove(const uint8_t name[32]);
/* Creates o's temporary file in the store (sets fd, tmp_path), creating
 * the store directory when needed. */
int plat_object_create(loam_do *o);
int plat_object_write(loam_do *o, const uint8_t *p, int64_t n, int64_t offset);
/* Starts writing o's bytes to the device without waiting for them (the
 * fsync of plat_object_commit then finds them on their way); may do
 * nothing. Called for every object of a commit batch before the first
 * plat_object_commit of the batch. */
void plat_object_flush(loam_do *o);
/* fsync, write NAME.sum (temp + fsync + rename), rename the temporary to
 * NAME, fsync the directory; then maps the content into o->data/len. */
int plat_object_commit(loam_do *o, const uint8_t sum[32]);
/* Closes and deletes the temporary file, if any. Signal-safe. */
void plat_object_discard(loam_do *o);
/* The image ends (normally, or with its failures reported): the store
 * no longer needs to know it runs (hosted/store.c). */
void plat_store_close(void);
/* Makes the committed object o appear at path (which must not exist):
 * a hard link, or a copy (temp + fsync + rename) across file systems. */
int plat_materialise(loam_do *o, const char *path);

/* Installs the system call filter (§8) on the calling thread; `io` allows
 * what the I/O thread needs besides. LK_UNSUPPORTED where the hypervisor
 * isolates instead. */
int plat_sandbox(bool io);

/* The trace file (--trace): opened before the sandbox, written at the end. */
int plat_trace_open(const char *path);
int plat_trace_write(const void *p, int64_t n);
int plat_trace_close(void);

#endif
