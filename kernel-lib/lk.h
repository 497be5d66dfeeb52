/* lk.h — the kernel interface: what the runtime (runtime/) and hand-written
 * test tasks may call in kernel-lib. Generated code never calls lk_*
 * directly; it goes through the __loam_* entry points of runtime/loam_rt.h.
 *
 * Freestanding C17. Every function here is called from task context on
 * some worker core; each may run on several cores at once (spec/kernel.md
 * §1 says which state is shared and how it is locked).
 */
#ifndef LK_H
#define LK_H

#include "loam_rt.h"

/* ---- tasks (core/sched.c) ---- */

typedef struct lk_task lk_task;

/* A task's arena: bump region [next, end) in the newest chunk; every chunk
 * is unmapped when the task ends. runtime/alloc.c does the bumping. */
typedef struct lk_chunk lk_chunk;
typedef struct lk_arena {
    uint8_t *next, *end;
    lk_chunk *chunks;
} lk_arena;

/* Budget given to a task each time it is scheduled (yield points between
 * two calls of __loam_yield). */
enum { LK_BUDGET = 1 << 14 };

/* MUST: entry non-NULL; args lives as long as the task. Creates a runnable
 * task with no outputs (for the kernel's own C tests: it is not in
 * __loam_tasks, has no name in the store and is never memoised). Returns
 * NULL when no memory is left. */
lk_task *lk_spawn(const char *name, void (*entry)(loam_value *args), loam_value *args);
/* __loam_spawn's body (runtime/loam_rt.h has the contract). */
loam_do *lk_spawn_task(int64_t task, const loam_value *args, loam_do *delegated);
/* MUST: called from task context. Switches to the scheduler, which runs the
 * other runnable tasks, refills __loam_budget and returns. */
void lk_yield(void);
/* The running task's arena (the kernel's own arena outside task context). */
lk_arena *lk_current_arena(void);
/* The running task's name, for messages ("kernel" outside task context). */
const char *lk_current_task_name(void);
/* MUST: a is lk_current_arena(). Maps a zeroed chunk of at least `bytes`
 * usable bytes owned by the arena's task; returns its first usable byte
 * (16-aligned) or NULL when the system has no memory left. If `bump` is true
 * the chunk becomes the arena's bump region [next, end). */
uint8_t *lk_arena_chunk(lk_arena *a, int64_t bytes, bool bump);

/* ---- data objects (core/do.c) ---- */

/* MUST: out is an output handle of the running task, n >= 0. MAY suspend
 * the task until the buffer pool has room (backpressure). */
uint8_t *lk_out_reserve(loam_do *out, int64_t n);
/* MUST: p returned by the last lk_out_reserve(out, n), 0 <= used <= n. */
void lk_out_append(loam_do *out, uint8_t *p, int64_t used);
/* MUST: in is an input handle or a Ref. The whole content, mapped
 * read-only; for a Ref, suspends the task until its producer commits, and
 * fails the task when the producer failed. */
loam_str lk_in_text(loam_do *in);

/* ---- console (core/console.c) ---- */

/* Buffered write to the console (stdout when hosted); lines from several
 * cores are not interleaved within one call. */
void lk_console_write(const void *p, int64_t n);
void lk_console_flush(void);

/* ---- ending a task or the image (core/main.c) ---- */

/* In task context: ends the running task as failed ("panicked: line"):
 * its outputs are discarded and every task waiting for them fails in turn.
 * Outside task context: flushes the console, writes line[0..n) to stderr,
 * discards every output and ends the image with 101. */
_Noreturn void lk_panic_exit(const char *line, int64_t n);

#endif
