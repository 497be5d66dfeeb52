/* interp_rt.c — the runtime entry points that stdlib-min calls, for the
 * interpreter (spec/abi.md §2, §5): __loam_alloc from the running task's
 * arena, and the panics.
 *
 * These are the same functions runtime/ provides to images; here they live
 * in `loam` itself, which links a hosted build of stdlib-min
 * (libloamstd_hosted.a) and nothing else that defines them. A panic inside
 * a task jumps to that task's trap (interp.c: the task fails, the others
 * go on); outside any task it prints the image's line (`where: panic:
 * what`) after flushing stdout, deletes the temporary outputs, exits 101.
 */
#include "interp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An arena: a chain of zeroed blocks, bump-allocated, freed whole. */
typedef struct Block {
    struct Block *next;
    uint8_t *next_free, *end;
    _Alignas(16) uint8_t data[];
} Block;

typedef struct TaskArena {
    Block *blocks;
    struct TaskArena *outer;
} TaskArena;

enum { CHUNK = 1 << 20, LARGE = CHUNK / 4 };
#define ALLOC_MAX (INT64_C(1) << 46)   /* as runtime/alloc.c */

static TaskArena *current;
static const char *task_name = "main";
static void (*discard_outputs)(void);

void rt_set_task_name(const char *name) { task_name = name; }
const char *rt_task_name(void) { return task_name; }
void rt_on_panic(void (*discard)(void)) { discard_outputs = discard; }

void *rt_arena_begin(void) {
    TaskArena *a = calloc(1, sizeof *a);
    if (!a) __loam_panic(task_name, "out of memory");
    a->outer = current;
    current = a;
    return a->outer;
}

void rt_arena_end(void *saved) {
    TaskArena *a = current;
    for (Block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    current = saved;
    free(a);
}

void *__loam_alloc(int64_t size) {
    if (size < 0 || size > ALLOC_MAX) __loam_panic(task_name, "out of memory");
    if (!current) rt_arena_begin();
    size = (size + 15) & ~(int64_t)15;
    Block *b = current->blocks;
    if (size > LARGE || !b || size > b->end - b->next_free) {
        int64_t room = size > LARGE ? size : CHUNK;
        Block *fresh = calloc(1, sizeof *fresh + (size_t)room);
        if (!fresh) __loam_panic(task_name, "out of memory");
        fresh->next_free = fresh->data;
        fresh->end = fresh->data + room;
        if (size > LARGE && b) {
            /* keep bumping in the current block: a large block is used once */
            fresh->next = b->next;
            b->next = fresh;
        } else {
            fresh->next = b;
            current->blocks = fresh;
        }
        b = fresh;
    }
    void *p = b->next_free;
    b->next_free += size;
    return p;
}

/* Where a panic of the running task goes (interp.c: the task fails, the
 * others go on), or NULL outside tasks: then it ends the process. */
static jmp_buf *trap;
static char *trap_line;

void rt_set_trap(jmp_buf *env, char *line) {
    trap = env;
    trap_line = line;
}

jmp_buf *rt_trap(void) { return trap; }
char *rt_trap_line(void) { return trap_line; }

_Noreturn void __loam_panic(const char *where, const char *what) {
    /* An image's line holds at most 511 bytes before its newline. */
    char line[RT_LINE_MAX];
    snprintf(line, sizeof line, "%s: panic: %s", where ? where : "?", what ? what : "");
    if (trap) {
        memcpy(trap_line, line, sizeof line);
        longjmp(*trap, 1);
    }
    fflush(stdout);
    size_t n = strlen(line);
    line[n] = '\n';   /* snprintf left room: n <= RT_LINE_MAX - 1 */
    ssize_t ignored = write(STDERR_FILENO, line, n + 1);
    (void)ignored;
    if (discard_outputs) discard_outputs();
    _exit(101);
}

_Noreturn void __loam_panic_bounds(const char *where, int64_t index, int64_t len) {
    char what[96];
    snprintf(what, sizeof what, "index %lld out of range for length %lld", (long long)index, (long long)len);
    __loam_panic(where, what);
}

_Noreturn void __loam_panic_overflow(const char *where) { __loam_panic(where, "integer overflow"); }

_Noreturn void __loam_panic_divide(const char *where) { __loam_panic(where, "division by zero"); }
