/* arena.h — region allocation for the compiler.
 *
 * Everything the front end allocates for one compilation lives in one arena
 * and is released at once with arena_free(). Nothing is freed piecemeal.
 * Allocation failure is an internal error (exit 2), never a NULL return.
 */
#ifndef LOAM_ARENA_H
#define LOAM_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head;
} Arena;

void arena_init(Arena *a);
void arena_free(Arena *a);
/* Returns zeroed memory aligned to 8 bytes (enough for every type the
 * compiler stores; nothing here needs 16). */
void *arena_alloc(Arena *a, size_t size);
char *arena_strndup(Arena *a, const char *s, size_t n);
/* Duplicates old_size bytes of p into a fresh block of new_size bytes. */
void *arena_grow(Arena *a, void *p, size_t old_size, size_t new_size);

/* A growable array of pointers, backed by an arena. */
typedef struct List {
    void **items;
    uint32_t len, cap;
} List;

void list_push(Arena *a, List *l, void *item);

/* A pointer-keyed hash map backed by an arena (open addressing; keys are
 * nonzero). Zero-initialised is empty. */
typedef struct PtrMap {
    uintptr_t *keys;
    void **values;
    uint32_t cap, len;
} PtrMap;

/* The value slot of key, inserted (NULL) when it is new. */
void **ptrmap_slot(Arena *a, PtrMap *m, uintptr_t key);

/* Interned strings: equal contents give the same pointer for the whole run. */
const char *intern(const char *s, size_t n);

/* Internal errors: our bugs, not the user's. Print the C location, exit 2. */
_Noreturn void die_at(const char *file, int line, const char *fmt, ...);
#define die(...) die_at(__FILE__, __LINE__, __VA_ARGS__)

#endif
