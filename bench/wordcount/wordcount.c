/* wordcount.c — the C counterpart of examples/wordcount.loam, for the
 * benchmark: the same algorithm and the same output.
 *
 *     wordcount text=PATH counts=PATH
 *
 * Maps the text, splits it into words (maximal runs of bytes other than the
 * ASCII whitespace " \t\n\v\f\r", as Loam's words()), counts each word in a
 * hash map (open addressing with linear probing over an insertion-ordered
 * entry array, load factor at most 3/4, like stdlib-min's map), sorts the
 * entries by word (bytewise, a proper prefix first) and writes one
 * "word<TAB>count" line per word to a new file, which must not exist. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry { const unsigned char *word; size_t len; uint64_t hash; long count; };

static struct entry *entries;
static size_t n_entries, cap_entries;
static uint32_t *slots; /* entry number + 1; 0 is empty */
static size_t n_slots;

static void *xmalloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p) { perror("wordcount"); exit(1); }
    return p;
}

/* FNV-1a, then a multiply-xorshift finaliser so the low bits spread. */
static uint64_t hash_word(const unsigned char *p, size_t n) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h;
}

static void rebuild(size_t new_slots) {
    free(slots);
    n_slots = new_slots;
    slots = xmalloc(n_slots * sizeof *slots);
    for (size_t e = 0; e < n_entries; e++) {
        size_t i = entries[e].hash & (n_slots - 1);
        while (slots[i]) i = (i + 1) & (n_slots - 1);
        slots[i] = (uint32_t)(e + 1);
    }
}

static void count_word(const unsigned char *p, size_t n) {
    uint64_t h = hash_word(p, n);
    size_t i = h & (n_slots - 1);
    for (; slots[i]; i = (i + 1) & (n_slots - 1)) {
        struct entry *e = &entries[slots[i] - 1];
        if (e->hash == h && e->len == n && memcmp(e->word, p, n) == 0) {
            e->count++;
            return;
        }
    }
    if (n_entries == cap_entries) {
        cap_entries *= 2;
        entries = realloc(entries, cap_entries * sizeof *entries);
        if (!entries) { perror("wordcount"); exit(1); }
    }
    entries[n_entries] = (struct entry){p, n, h, 1};
    slots[i] = (uint32_t)++n_entries;
    if (4 * n_entries > 3 * n_slots) rebuild(2 * n_slots);
}

static int by_word(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->word, y->word, n);
    if (c) return c;
    return (x->len > y->len) - (x->len < y->len);
}

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int main(int argc, char **argv) {
    const char *text = NULL, *counts = NULL;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "text=", 5) == 0) text = argv[i] + 5;
        else if (strncmp(argv[i], "counts=", 7) == 0) counts = argv[i] + 7;
    }
    if (!text || !counts) {
        fprintf(stderr, "usage: %s text=PATH counts=PATH\n", argv[0]);
        return 2;
    }
    int fd = open(text, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) { perror(text); return 2; }
    size_t size = (size_t)st.st_size;
    const unsigned char *data = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    if (data == MAP_FAILED) { perror(text); return 2; }
    int out = open(counts, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (out < 0) { perror(counts); return 2; }

    cap_entries = 16;
    entries = xmalloc(cap_entries * sizeof *entries);
    rebuild(16);
    size_t i = 0;
    while (i < size) {
        while (i < size && is_space(data[i])) i++;
        size_t start = i;
        while (i < size && !is_space(data[i])) i++;
        if (i > start) count_word(data + start, i - start);
    }

    qsort(entries, n_entries, sizeof *entries, by_word);
    FILE *f = fdopen(out, "w");
    for (size_t e = 0; e < n_entries; e++) {
        fwrite(entries[e].word, 1, entries[e].len, f);
        fprintf(f, "\t%ld\n", entries[e].count);
    }
    return fclose(f) == 0 ? 0 : 1;
}
