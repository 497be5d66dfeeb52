/* shim.c — the runtime entry points stdlib-min needs, for a hosted test:
 * __loam_alloc from malloc (every block on a list, freed by shim_reset, so
 * the test stays leak-free), and panics that longjmp back to the test,
 * which reads the message from shim_panic_text.
 */
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Block {
    struct Block *next;
    size_t pad;                          /* keeps the payload 16-aligned */
} Block;

static Block *blocks;
jmp_buf shim_jmp;
int shim_armed;
char shim_panic_text[512];

void *__loam_alloc(int64_t size)
{
    if (size < 0) {
        fprintf(stderr, "internal error: __loam_alloc(%lld)\n", (long long)size);
        abort();
    }
    Block *b = calloc(1, sizeof(Block) + (size_t)size);
    if (!b)
        abort();
    b->next = blocks;
    blocks = b;
    return b + 1;
}

void shim_reset(void)
{
    while (blocks) {
        Block *next = blocks->next;
        free(blocks);
        blocks = next;
    }
}

_Noreturn void __loam_panic(const char *where, const char *what)
{
    snprintf(shim_panic_text, sizeof shim_panic_text, "%s: panic: %s", where, what);
    if (!shim_armed) {
        fprintf(stderr, "unexpected %s\n", shim_panic_text);
        abort();
    }
    shim_armed = 0;
    longjmp(shim_jmp, 1);
}

_Noreturn void __loam_panic_bounds(const char *where, int64_t index, int64_t len)
{
    char what[128];
    snprintf(what, sizeof what, "index %lld out of range for length %lld", (long long)index,
             (long long)len);
    __loam_panic(where, what);
}

_Noreturn void __loam_panic_overflow(const char *where) { __loam_panic(where, "integer overflow"); }
_Noreturn void __loam_panic_divide(const char *where) { __loam_panic(where, "division by zero"); }
