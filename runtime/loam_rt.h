/* loam_rt.h — the runtime ABI between generated code, the runtime, the
 * standard library and the kernel (spec/abi.md is the prose version).
 *
 * Freestanding C17: only <stdint.h>, <stddef.h>, <stdbool.h>. Every entry
 * point generated code may call is declared here with its contract.
 */
#ifndef LOAM_RT_H
#define LOAM_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- values (spec/abi.md §1) ---- */

typedef struct loam_str {
    const uint8_t *ptr;
    int64_t len;
} loam_str;

typedef struct loam_array {
    uint8_t *data;          /* len * elem_size bytes in use, cap * elem_size allocated */
    int64_t len, cap;
    int64_t elem_size;
} loam_array;

typedef struct loam_map loam_map;      /* stdlib-min/map.c */
typedef struct loam_do loam_do;        /* kernel-lib: one data object handle */

typedef struct loam_dolist {
    int64_t len;
    loam_do **items;
} loam_dolist;

typedef union loam_value {
    int64_t i;
    double f;
    bool b;
    loam_str s;
    loam_do *blob;
    loam_dolist *blobs;
} loam_value;

/* ---- memory (§2) ---- */

/* MUST: size >= 0. Returns zeroed, 16-byte aligned memory from the running
 * task's arena; never NULL (exhaustion panics). */
void *__loam_alloc(int64_t size);

/* ---- yield points (§3) ---- */

extern __thread int64_t __loam_budget;
/* Lets the scheduler run other tasks; refills __loam_budget; returns. */
void __loam_yield(void);

/* ---- data objects (§4) ---- */

/* MUST: out is an output of the running task, n >= 0. Returns >= n
 * writable bytes; MAY suspend the task (backpressure). */
uint8_t *__loam_request(loam_do *out, int64_t n);
/* MUST: p from the last request on out, used <= the n requested. */
void __loam_commit(loam_do *out, uint8_t *p, int64_t used);
/* The whole content of an input or Ref (waits for a Ref's producer). */
loam_str __loam_blob_text(loam_do *in);
int64_t __loam_blob_len(loam_do *in);

/* ---- panics (§5): print "where: panic: what", discard outputs, exit 101 ---- */

_Noreturn void __loam_panic(const char *where, const char *what);
_Noreturn void __loam_panic_bounds(const char *where, int64_t index, int64_t len);
_Noreturn void __loam_panic_overflow(const char *where);
_Noreturn void __loam_panic_divide(const char *where);

/* ---- console and formatting (§6) ---- */

void __loam_print(loam_str s);
loam_str __loam_fmt_int(int64_t v);
loam_str __loam_fmt_float(double v);
loam_str __loam_fmt_bool(bool v);
loam_str __loam_fmt_byte(uint8_t v);
loam_str __loam_concat(const loam_str *parts, int64_t count);

/* ---- tasks and the manifest (§7) ---- */

enum loam_param_kind {
    LOAM_P_INT, LOAM_P_FLOAT, LOAM_P_BOOL, LOAM_P_STR,
    LOAM_P_IN, LOAM_P_OUT, LOAM_P_IN_LIST,
};

typedef struct loam_param {
    const char *name;
    uint8_t kind;           /* enum loam_param_kind */
} loam_param;

typedef struct loam_task {
    const char *name;
    void (*entry)(loam_value *args);
    int64_t param_count;
    const loam_param *params;
} loam_task;

/* Emitted by the compiler: all tasks (ended by an entry with name NULL) and
 * the index of the root task. */
extern const loam_task __loam_tasks[];
extern const int64_t __loam_root_task;

/* ---- spawn (§8) ---- */

/* Spawns __loam_tasks[task] as a child of the running task. args has the
 * child's param_count slots in parameter order; the slot of the child's one
 * `out` parameter is NULL on entry and is filled by the kernel. The kernel
 * copies what it keeps (Str bytes, loam_dolist arrays): the caller's arena
 * may be gone before the child runs. Values of kind LOAM_P_IN are loam_do*
 * (an input of the caller, or a Ref); LOAM_P_IN_LIST are loam_dolist*.
 *   delegated == NULL: the kernel creates a new output DO for the child and
 *     returns a Ref to it — a loam_do* that the caller may read with
 *     __loam_blob_text/__loam_blob_len (which wait until the child commits),
 *     store in arrays, and pass to other spawns. (A child without an `out`
 *     parameter gives NULL.)
 *   delegated != NULL: it is an `out` of the running task; it becomes the
 *     child's output (tail spawn) and is no longer the caller's to commit;
 *     returns NULL. (The checker guarantees the caller never writes it.)
 * MAY suspend the caller. A misuse (bad index, missing input, delegating a
 * handle that is not an unwritten output of the caller) panics the caller
 * with "internal error: spawn: ...". */
loam_do *__loam_spawn(int64_t task, const loam_value *args, loam_do *delegated);

#endif
