/* arena.c — bump allocation in growing blocks, plus the string intern table.
 *
 * Blocks double from 64 KiB, so a small check allocates little. Blocks of
 * 2 MiB and more come straight from mmap and are marked for transparent huge
 * pages: a 10 MB source file builds a few hundred MB of tree, and touching
 * that memory 4 KiB at a time made page faults the check's largest cost. */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE */
#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Under AddressSanitizer every allocation is followed by a poisoned gap and
 * unused block space stays poisoned, so reading past the end of a node (for
 * instance another kind's union member, see ast.c) is reported. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
enum { REDZONE = 16 };
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
enum { REDZONE = 0 };
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct ArenaBlock {
    ArenaBlock *next;
    size_t used, size;
    bool mapped;            /* from mmap (else malloc) */
    _Alignas(16) unsigned char data[];
};

enum { FIRST_BLOCK = 64 << 10, MAX_BLOCK = 64 << 20, MAP_THRESHOLD = 2 << 20 };

void arena_init(Arena *a) { a->head = NULL; }

static void release_block(ArenaBlock *b) {
    UNPOISON(b->data, b->size);
    if (b->mapped) munmap(b, sizeof *b + b->size);
    else free(b);
}

void arena_free(Arena *a) {
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        release_block(b);
        b = next;
    }
    a->head = NULL;
}

static ArenaBlock *new_block(size_t cap) {
    ArenaBlock *b;
    bool mapped = cap >= MAP_THRESHOLD;
    if (mapped) {
        /* Map 2 MiB more and trim, so that the block starts on a huge-page
         * boundary and every 2 MiB of it can be one huge page. */
        size_t huge = 2u << 20, want = (sizeof *b + cap + huge - 1) & ~(huge - 1);
        uint8_t *p = mmap(NULL, want + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) die("out of memory (arena block of %zu bytes)", cap);
        uint8_t *aligned = (uint8_t *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
        if (aligned > p) munmap(p, (size_t)(aligned - p));
        if (aligned + want < p + want + huge) munmap(aligned + want, (size_t)(p + want + huge - (aligned + want)));
        madvise(aligned, want, MADV_HUGEPAGE);   /* advice only: failure is harmless */
        b = (ArenaBlock *)aligned;
        cap = want - sizeof *b;
    } else {
        /* calloc, not malloc: blocks must be zero, because arena_alloc does
         * not clear memory (fresh pages from the kernel already are). */
        b = calloc(1, sizeof *b + cap);
        if (!b) die("out of memory (arena block of %zu bytes)", cap);
    }
    b->size = cap;
    b->used = 0;
    b->mapped = mapped;
    POISON(b->data, cap);
    return b;
}

void *arena_alloc(Arena *a, size_t size) {
    size_t asked = size;
    size = (size + 7 + REDZONE) & ~(size_t)7;
    ArenaBlock *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = b ? b->size * 2 : FIRST_BLOCK;
        if (cap > MAX_BLOCK) cap = MAX_BLOCK;
        if (cap < size) cap = size;
        b = new_block(cap);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    UNPOISON(p, asked);   /* already zero: blocks are born zeroed and never reused */
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void *arena_grow(Arena *a, void *p, size_t old_size, size_t new_size) {
    void *q = arena_alloc(a, new_size);
    if (old_size) memcpy(q, p, old_size);
    return q;
}

void list_push(Arena *a, List *l, void *item) {
    if (l->len == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        l->items = arena_grow(a, l->items, l->len * sizeof *l->items, cap * sizeof *l->items);
        l->cap = cap;
    }
    l->items[l->len++] = item;
}

/* Fibonacci hashing: the high half of the product spreads pointers well. */
static uint32_t ptr_hash(uintptr_t k) { return (uint32_t)((k * 0x9E3779B97F4A7C15u) >> 32); }

void **ptrmap_slot(Arena *a, PtrMap *m, uintptr_t key) {
    if (m->len * 2 >= m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 64;
        uintptr_t *keys = arena_alloc(a, cap * sizeof *keys);
        void **values = arena_alloc(a, cap * sizeof *values);
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            uint32_t j = ptr_hash(m->keys[i]) & (cap - 1);
            while (keys[j]) j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            values[j] = m->values[i];
        }
        m->keys = keys, m->values = values, m->cap = cap;
    }
    uint32_t j = ptr_hash(key) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->len++;
    }
    return &m->values[j];
}

/* The intern table lives for the whole process (open addressing, FNV-1a). */
static Arena intern_arena;
static const char **intern_slots;
static size_t intern_cap, intern_count;

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    return h;
}

const char *intern(const char *s, size_t n) {
    if (intern_count * 2 >= intern_cap) {
        size_t cap = intern_cap ? intern_cap * 2 : 1024;
        const char **slots = calloc(cap, sizeof *slots);
        if (!slots) die("out of memory (intern table)");
        for (size_t i = 0; i < intern_cap; i++) {
            const char *e = intern_slots[i];
            if (!e) continue;
            size_t j = hash_bytes(e, strlen(e)) & (cap - 1);
            while (slots[j]) j = (j + 1) & (cap - 1);
            slots[j] = e;
        }
        free(intern_slots);
        intern_slots = slots;
        intern_cap = cap;
    }
    size_t j = hash_bytes(s, n) & (intern_cap - 1);
    for (;;) {
        const char *e = intern_slots[j];
        if (!e) break;
        if (strncmp(e, s, n) == 0 && e[n] == 0) return e;
        j = (j + 1) & (intern_cap - 1);
    }
    const char *copy = arena_strndup(&intern_arena, s, n);
    intern_slots[j] = copy;
    intern_count++;
    return copy;
}

_Noreturn void die_at(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "loam: internal error (%s:%d): ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}
