/* arena(oom: Bool) — __loam_alloc gives zeroed, 16-aligned, disjoint memory,
 * small and large; thread-locals start with their initial values (the TLS
 * image is copied) and honour their alignment. With oom=true, asks for
 * more than an arena may hold: "arena: panic: out of memory", exit 101.
 * expect: arena ok
 */
#include "task.h"

static _Alignas(64) __thread uint8_t tls_aligned[100] = {1, 2, 3};
static __thread int64_t tls_zero;
static __thread int64_t tls_seven = 7;

static void check(bool ok, const char *where)
{
    if (!ok)
        __loam_panic(where, "check failed");
}

static void task_arena(loam_value *args)
{
    check(tls_seven == 7 && tls_zero == 0, "arena.c:tls values");
    check(tls_aligned[0] == 1 && tls_aligned[2] == 3 && tls_aligned[99] == 0, "arena.c:tls array");
    check(((uintptr_t)tls_aligned & 63) == 0, "arena.c:tls alignment");
    tls_seven++;
    check(tls_seven == 8, "arena.c:tls write");

    uint8_t *prev = NULL;
    for (int64_t i = 0; i < 20000; i++) {
        int64_t size = (i * 37) % 1000 + (i % 97 == 0 ? 2000000 : 0);
        uint8_t *p = __loam_alloc(size);
        check(((uintptr_t)p & 15) == 0, "arena.c:alignment");
        for (int64_t j = 0; j < size; j += 1 + j / 3)
            check(p[j] == 0, "arena.c:zeroed");
        if (size > 0) {
            p[size - 1] = 0xCD;
            p[0] = 0xAB;
        }
        check(prev == NULL || prev[0] == 0xAB, "arena.c:disjoint");
        prev = size > 0 ? p : prev;
    }
    check(__loam_alloc(0) != NULL, "arena.c:zero size");
    __loam_print(cstr("arena ok"));
    if (args[0].b)
        __loam_alloc((INT64_C(1) << 46) + 1);  /* beyond any arena */
}

static const loam_param arena_params[] = {{"oom", LOAM_P_BOOL}};

const loam_task __loam_tasks[] = {
    {"arena", task_arena, 1, arena_params},
    {0},
};
const int64_t __loam_root_task = 0;
