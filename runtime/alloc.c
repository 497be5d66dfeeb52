/* alloc.c — __loam_alloc (spec/abi.md §2): bump allocation in the running
 * task's arena. Chunks come from the kernel (lk_arena_chunk), freshly
 * mapped and therefore zeroed; since nothing is freed individually, bytes
 * handed out are always fresh and need no clearing. Large requests get a
 * chunk of their own so they do not waste the current bump region.
 */
#include "lk.h"

enum { CHUNK = 1 << 20, LARGE = CHUNK / 4 };
#define ALLOC_MAX (INT64_C(1) << 46)   /* above this no mapping can succeed */

static _Noreturn void out_of_memory(void)
{
    __loam_panic(lk_current_task_name(), "out of memory");
}

void *__loam_alloc(int64_t size)
{
    if (size < 0 || size > ALLOC_MAX)
        out_of_memory();
    size = (size + 15) & ~(int64_t)15;
    lk_arena *a = lk_current_arena();
    if (size <= a->end - a->next) {
        void *p = a->next;
        a->next += size;
        return p;
    }
    uint8_t *p = lk_arena_chunk(a, size > LARGE ? size : CHUNK, size <= LARGE);
    if (!p)
        out_of_memory();
    if (size <= LARGE)
        a->next = p + size;
    return p;
}
