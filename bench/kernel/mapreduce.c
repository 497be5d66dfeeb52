/* mapreduce(docs: in [Blob], counts: out Blob) — the map/reduce word count
 * of issue 4, as hand-written tasks (what the compiler will emit for the
 * Loam version): one `count` task per document (words and their counts,
 * sorted, "word\tN\n" lines), merged pairwise by `merge` tasks in a tree;
 * the last merge writes `counts` by tail spawn. Words are runs of bytes
 * other than space, tab and newline. Used by run.sh to compare 1 and 2
 * cores. */
#include "../../tests/runtime/task.h"

enum { T_MAIN, T_COUNT, T_MERGE };

typedef struct entry {
    const uint8_t *word;
    int64_t len, count;
} entry;

static bool is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int cmp(const entry *a, const entry *b)
{
    int64_t n = a->len < b->len ? a->len : b->len;
    for (int64_t i = 0; i < n; i++)
        if (a->word[i] != b->word[i])
            return a->word[i] < b->word[i] ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

static void sort(entry *e, entry *tmp, int64_t n)
{
    if (n < 2)
        return;
    int64_t h = n / 2;
    sort(e, tmp, h);
    sort(e + h, tmp, n - h);
    int64_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(&e[i], &e[j]) <= 0 ? e[i++] : e[j++];
    while (i < h)
        tmp[k++] = e[i++];
    while (j < n)
        tmp[k++] = e[j++];
    for (k = 0; k < n; k++)
        e[k] = tmp[k];
}

static uint64_t hash(const uint8_t *p, int64_t n)
{
    uint64_t h = 1469598103934665603u;
    for (int64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

static void put_entry(loam_do *out, const entry *e)
{
    out_bytes(out, e->word, e->len);
    out_str(out, "\t");
    out_int(out, e->count);
    out_str(out, "\n");
}

/* count(doc: in Blob, out: out Blob) */
static void task_count(loam_value *args)
{
    loam_str s = __loam_blob_text(args[0].blob);
    int64_t cap = 1 << 16, used = 0;
    entry *table = __loam_alloc(cap * (int64_t)sizeof *table);
    for (int64_t i = 0; i < s.len;) {
        YIELD_POINT();
        while (i < s.len && is_space(s.ptr[i]))
            i++;
        int64_t start = i;
        while (i < s.len && !is_space(s.ptr[i]))
            i++;
        if (i == start)
            continue;
        entry w = {s.ptr + start, i - start, 1};
        for (uint64_t h = hash(w.word, w.len) & (uint64_t)(cap - 1);; h = (h + 1) & (uint64_t)(cap - 1)) {
            if (!table[h].word) {
                table[h] = w;
                if (++used * 2 > cap)
                    __loam_panic("mapreduce.c:count", "too many distinct words");
                break;
            }
            if (table[h].len == w.len && cmp(&table[h], &w) == 0) {
                table[h].count++;
                break;
            }
        }
    }
    entry *list = __loam_alloc(used * (int64_t)sizeof *list), *tmp = __loam_alloc(used * (int64_t)sizeof *tmp);
    int64_t n = 0;
    for (int64_t h = 0; h < cap; h++)
        if (table[h].word)
            list[n++] = table[h];
    sort(list, tmp, n);
    for (int64_t i = 0; i < n; i++)
        put_entry(args[1].blob, &list[i]);
}

/* The next "word\tN\n" line of s from *at, or false at the end. */
static bool next_entry(loam_str s, int64_t *at, entry *e)
{
    int64_t i = *at;
    if (i >= s.len)
        return false;
    e->word = s.ptr + i;
    while (s.ptr[i] != '\t')
        i++;
    e->len = s.ptr + i - e->word;
    e->count = 0;
    for (i++; s.ptr[i] != '\n'; i++)
        e->count = e->count * 10 + (s.ptr[i] - '0');
    *at = i + 1;
    return true;
}

/* merge(a: in Blob, b: in Blob, out: out Blob) */
static void task_merge(loam_value *args)
{
    loam_str a = __loam_blob_text(args[0].blob), b = __loam_blob_text(args[1].blob);
    int64_t i = 0, j = 0;
    entry x, y;
    bool hx = next_entry(a, &i, &x), hy = next_entry(b, &j, &y);
    while (hx || hy) {
        YIELD_POINT();
        int c = !hx ? 1 : !hy ? -1 : cmp(&x, &y);
        if (c == 0) {
            x.count += y.count;
            put_entry(args[2].blob, &x);
            hx = next_entry(a, &i, &x);
            hy = next_entry(b, &j, &y);
        } else if (c < 0) {
            put_entry(args[2].blob, &x);
            hx = next_entry(a, &i, &x);
        } else {
            put_entry(args[2].blob, &y);
            hy = next_entry(b, &j, &y);
        }
    }
}

static void task_main(loam_value *args)
{
    loam_dolist *docs = args[0].blobs;
    int64_t n = docs->len;
    if (n == 0)
        return;
    loam_do **refs = __loam_alloc(n * (int64_t)sizeof *refs);
    for (int64_t k = 0; k < n; k++) {
        loam_value a[2] = {{.blob = docs->items[k]}, {.blob = NULL}};
        refs[k] = __loam_spawn(T_COUNT, a, NULL);
    }
    while (n > 2) {             /* one level of the tree */
        int64_t m = 0;
        for (int64_t k = 0; k + 1 < n; k += 2) {
            loam_value a[3] = {{.blob = refs[k]}, {.blob = refs[k + 1]}, {.blob = NULL}};
            refs[m++] = __loam_spawn(T_MERGE, a, NULL);
        }
        if (n % 2)
            refs[m++] = refs[n - 1];
        n = m;
    }
    if (n == 2) {
        loam_value a[3] = {{.blob = refs[0]}, {.blob = refs[1]}, {.blob = NULL}};
        __loam_spawn(T_MERGE, a, args[1].blob);
    } else {
        loam_str s = __loam_blob_text(refs[0]);
        out_bytes(args[1].blob, s.ptr, s.len);
    }
}

static const loam_param main_params[] = {{"docs", LOAM_P_IN_LIST}, {"counts", LOAM_P_OUT}};
static const loam_param count_params[] = {{"doc", LOAM_P_IN}, {"out", LOAM_P_OUT}};
static const loam_param merge_params[] = {{"a", LOAM_P_IN}, {"b", LOAM_P_IN}, {"out", LOAM_P_OUT}};

const loam_task __loam_tasks[] = {
    [T_MAIN] = {"mapreduce", task_main, 2, main_params},
    [T_COUNT] = {"count", task_count, 2, count_params},
    [T_MERGE] = {"merge", task_merge, 3, merge_params},
    {0},
};
const int64_t __loam_root_task = T_MAIN;
