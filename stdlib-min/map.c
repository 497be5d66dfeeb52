/* map.c — Map<K,V> (spec §3, §7): a hash map that iterates in insertion
 * order, and the hash functions.
 *
 * Layout: an entries array, appended to in insertion order, and an index
 * table of 2^k slots (open addressing, linear probing) holding entry
 * number + 1, or 0 for an empty slot. An entry is
 *     [hash u64][live u64][key, 16 bytes][value, value_size bytes]
 * rounded to 8 bytes. Removal marks the entry dead (so the others keep
 * their order and index) and empties its slot by backward shifting, so the
 * table needs no tombstones. The entries array holds at most 3/4 of the
 * slot count, which bounds the load factor at 0.75; when it is full the
 * live entries are copied, in order, to a fresh array (twice the size
 * unless half of them were dead) and the index is rebuilt.
 */
#include "std_internal.h"

struct loam_map {
    loam_kind key_kind;
    int64_t key_size;           /* 8, 16 (Str) or 1 (Byte, Bool) */
    int64_t value_size;
    int64_t stride;             /* bytes per entry */
    uint8_t *entries;
    int64_t used;               /* entries appended, live or dead */
    int64_t live;
    int64_t entry_cap;          /* = slot_count * 3 / 4 */
    uint32_t *slots;
    int64_t slot_count;         /* a power of two, or 0 before the first insertion */
};

enum { HEADER = 16, KEY_SLOT = 16 };

/* ---- hashing ---- */

/* Full 64-bit avalanche: nearby integers land far apart. */
uint64_t __loam_hash_int(int64_t v)
{
    uint64_t x = (uint64_t)v;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    return x;
}

/* The high and low halves of a 128-bit product, folded. */
static uint64_t fold_mul(uint64_t a, uint64_t b)
{
    __uint128_t p = (__uint128_t)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

static uint64_t load8(const uint8_t *p)
{
    uint64_t w;
    __builtin_memcpy(&w, p, 8);
    return w;
}

static uint64_t load4(const uint8_t *p)
{
    uint32_t w;
    __builtin_memcpy(&w, p, 4);
    return w;
}

/* Eight bytes at a time through a folded multiply, in the spirit of
 * wyhash; the tail (0..7 bytes) is read with overlapping loads. */
uint64_t __loam_hash_str(loam_str s)
{
    const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                   k2 = 0x8ebc6af09c88c6e3ull;
    const uint8_t *p = s.ptr;
    int64_t n = s.len;
    uint64_t h = k0 ^ (uint64_t)n;
    for (; n >= 16; n -= 16, p += 16)
        h = fold_mul(load8(p) ^ k1, load8(p + 8) ^ h);
    if (n >= 8) {
        h = fold_mul(load8(p) ^ k1, h ^ k2);
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    if (n >= 4)
        tail = load4(p) << 32 | load4(p + n - 4);
    else if (n > 0)
        tail = (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
    h = fold_mul(tail ^ k1, h ^ k2 ^ (uint64_t)n);
    return fold_mul(h ^ k0, k2);
}

static uint64_t hash_key(const loam_map *m, const void *key)
{
    switch (m->key_kind) {
    case LOAM_K_STR: return __loam_hash_str(*(const loam_str *)key);
    case LOAM_K_INT: return __loam_hash_int(*(const int64_t *)key);
    default: return __loam_hash_int(*(const uint8_t *)key);
    }
}

static bool key_eq(const loam_map *m, const void *a, const void *b)
{
    switch (m->key_kind) {
    case LOAM_K_STR: {
        const loam_str *x = a, *y = b;
        return x->len == y->len && std_bytes_equal(x->ptr, y->ptr, x->len);
    }
    case LOAM_K_INT: return *(const int64_t *)a == *(const int64_t *)b;
    default: return *(const uint8_t *)a == *(const uint8_t *)b;
    }
}

/* ---- entries ---- */

static uint8_t *entry(const loam_map *m, int64_t i) { return m->entries + i * m->stride; }
static uint64_t entry_hash(const uint8_t *e) { return *(const uint64_t *)(const void *)e; }
static bool entry_live(const uint8_t *e) { return *(const uint64_t *)(const void *)(e + 8) != 0; }
static uint8_t *entry_key(uint8_t *e) { return e + HEADER; }
static uint8_t *entry_value(uint8_t *e) { return e + HEADER + KEY_SLOT; }

loam_map *__loam_map_new(loam_kind key_kind, int64_t value_size)
{
    loam_map *m = __loam_alloc(sizeof *m);
    m->key_kind = key_kind;
    m->key_size = key_kind == LOAM_K_STR ? 16 : key_kind == LOAM_K_INT ? 8 : 1;
    m->value_size = value_size;
    m->stride = (HEADER + KEY_SLOT + value_size + 7) & ~(int64_t)7;
    return m;
}

int64_t __loam_map_len(const loam_map *m) { return m->live; }

/* The slot holding key, or the empty slot where it would go. */
static int64_t probe(const loam_map *m, const void *key, uint64_t h)
{
    uint64_t mask = (uint64_t)m->slot_count - 1;
    for (uint64_t s = h & mask;; s = (s + 1) & mask) {
        uint32_t x = m->slots[s];
        if (x == 0)
            return (int64_t)s;
        uint8_t *e = entry(m, x - 1);
        if (entry_hash(e) == h && key_eq(m, entry_key(e), key))
            return (int64_t)s;
    }
}

/* Copies the live entries, in order, into fresh arrays for slot_count
 * slots, and rebuilds the index. */
static void rebuild(loam_map *m, int64_t slot_count)
{
    int64_t entry_cap = slot_count / 4 * 3;
    uint8_t *entries = __loam_alloc(entry_cap * m->stride);
    uint32_t *slots = __loam_alloc(slot_count * (int64_t)sizeof(uint32_t));
    uint64_t mask = (uint64_t)slot_count - 1;
    int64_t n = 0;
    for (int64_t i = 0; i < m->used; i++) {
        uint8_t *e = entry(m, i);
        if (!entry_live(e))
            continue;
        memcpy(entries + n * m->stride, e, (size_t)m->stride);
        uint64_t s = entry_hash(e) & mask;
        while (slots[s])
            s = (s + 1) & mask;
        slots[s] = (uint32_t)(n + 1);
        n++;
    }
    m->entries = entries;
    m->slots = slots;
    m->slot_count = slot_count;
    m->entry_cap = entry_cap;
    m->used = n;
}

void *__loam_map_find(const loam_map *m, const void *key)
{
    if (m->live == 0)
        return 0;
    uint32_t x = m->slots[probe(m, key, hash_key(m, key))];
    return x ? entry_value(entry(m, x - 1)) : 0;
}

void *__loam_map_at(const char *where, const loam_map *m, const void *key)
{
    void *v = __loam_map_find(m, key);
    if (!v) {
        std_msg msg = {0};
        std_msg_cstr(&msg, "key ");
        switch (m->key_kind) {
        case LOAM_K_STR: std_msg_quoted(&msg, *(const loam_str *)key); break;
        case LOAM_K_INT: std_msg_int(&msg, *(const int64_t *)key); break;
        case LOAM_K_BOOL: std_msg_cstr(&msg, *(const uint8_t *)key ? "true" : "false"); break;
        default: std_msg_int(&msg, *(const uint8_t *)key); break;
        }
        std_msg_cstr(&msg, " is not in the map");
        __loam_panic(where, std_msg_done(&msg));
    }
    return v;
}

void *__loam_map_slot(loam_map *m, const void *key)
{
    uint64_t h = hash_key(m, key);
    if (m->slot_count) {
        uint32_t x = m->slots[probe(m, key, h)];
        if (x)
            return entry_value(entry(m, x - 1));
    }
    if (m->used == m->entry_cap) {
        int64_t n = m->slot_count ? m->slot_count : 8;
        rebuild(m, m->live * 2 <= m->used ? n : n * 2);
    }
    int64_t s = probe(m, key, h);
    uint8_t *e = entry(m, m->used);
    memset(e, 0, (size_t)m->stride);     /* reused space after the map emptied */
    *(uint64_t *)(void *)e = h;
    *(uint64_t *)(void *)(e + 8) = 1;
    memcpy(entry_key(e), key, (size_t)m->key_size);
    m->slots[s] = (uint32_t)(m->used + 1);
    m->used++;
    m->live++;
    return entry_value(e);
}

void __loam_map_set(loam_map *m, const void *key, const void *value)
{
    memmove(__loam_map_slot(m, key), value, (size_t)m->value_size);  /* value MAY be in m */
}

bool __loam_map_has(const loam_map *m, const void *key) { return __loam_map_find(m, key) != 0; }

void __loam_map_get(const loam_map *m, const void *key, const void *dflt, void *out)
{
    const void *v = __loam_map_find(m, key);
    memmove(out, v ? v : dflt, (size_t)m->value_size);
}

void __loam_map_remove(loam_map *m, const void *key)
{
    if (m->live == 0)
        return;
    uint64_t mask = (uint64_t)m->slot_count - 1;
    uint64_t i = (uint64_t)probe(m, key, hash_key(m, key));
    uint32_t x = m->slots[i];
    if (!x)
        return;
    *(uint64_t *)(void *)(entry(m, x - 1) + 8) = 0;
    m->live--;
    /* Backward shift: pull later members of the probe run into the hole
     * unless that would move them before their home slot. */
    for (uint64_t j = i;;) {
        j = (j + 1) & mask;
        uint32_t y = m->slots[j];
        if (!y)
            break;
        uint64_t home = entry_hash(entry(m, y - 1)) & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->slots[i] = y;
            i = j;
        }
    }
    m->slots[i] = 0;
    if (m->live == 0)
        m->used = 0;                     /* every slot is empty again */
}

int64_t __loam_map_next(const loam_map *m, int64_t i)
{
    for (; i < m->used; i++)
        if (entry_live(entry(m, i)))
            return i;
    return -1;
}

void *__loam_map_key_at(const loam_map *m, int64_t i) { return entry_key(entry(m, i)); }
void *__loam_map_value_at(const loam_map *m, int64_t i) { return entry_value(entry(m, i)); }

static loam_array *collect(const loam_map *m, int64_t size, int64_t offset)
{
    loam_array *a = __loam_array_new(size, m->live);
    for (int64_t i = __loam_map_next(m, 0); i >= 0; i = __loam_map_next(m, i + 1))
        __loam_array_push(a, entry(m, i) + offset);
    return a;
}

loam_array *__loam_map_keys(const loam_map *m) { return collect(m, m->key_size, HEADER); }

loam_array *__loam_map_values(const loam_map *m)
{
    return collect(m, m->value_size, HEADER + KEY_SLOT);
}

loam_map *__loam_map_sorted(const loam_map *m)
{
    loam_array *keys = __loam_map_keys(m);
    __loam_array_sort(keys, m->key_kind);
    loam_map *r = __loam_map_new(m->key_kind, m->value_size);
    for (int64_t i = 0; i < keys->len; i++) {
        const void *k = keys->data + i * m->key_size;
        __loam_map_set(r, k, __loam_map_find(m, k));
    }
    return r;
}
