/* sort.c — the C counterpart of examples/sort.loam, for `make bench`: the
 * same algorithm and the same output.
 *
 *     sort numbers=PATH sorted=PATH
 *
 * Maps the input, takes each line with its surrounding ASCII whitespace
 * trimmed, skips empty ones, parses the rest as decimal integers, sorts them
 * with the stable bottom-up merge sort of stdlib-min (insertion sort on runs
 * of 16, then merges of doubling width, skipping merges of runs already in
 * order), and writes one number per line to a new file. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { RUN = 16 };

static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void merge_sort(int64_t *v, int64_t n)
{
    for (int64_t lo = 0; lo < n; lo += RUN) {
        int64_t hi = lo + RUN < n ? lo + RUN : n;
        for (int64_t i = lo + 1; i < hi; i++) {
            int64_t x = v[i], j = i;
            for (; j > lo && x < v[j - 1]; j--) v[j] = v[j - 1];
            v[j] = x;
        }
    }
    if (n <= RUN) return;
    int64_t *tmp = malloc((size_t)n * sizeof *tmp), *src = v, *dst = tmp;
    if (!tmp) { perror("sort"); exit(1); }
    for (int64_t width = RUN; width < n; width *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int64_t i = lo, j = mid, k = lo;
            if (mid < hi && !(src[mid] < src[mid - 1])) {
                memcpy(dst + lo, src + lo, (size_t)(hi - lo) * sizeof *dst);
                continue;
            }
            while (i < mid && j < hi) dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        int64_t *t = src; src = dst; dst = t;
    }
    if (src != v) memcpy(v, src, (size_t)n * sizeof *v);
    free(tmp);
}

int main(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "numbers=", 8) == 0) in = argv[i] + 8;
        else if (strncmp(argv[i], "sorted=", 7) == 0) out = argv[i] + 7;
    }
    if (!in || !out) { fprintf(stderr, "usage: sort numbers=PATH sorted=PATH\n"); return 2; }
    int fd = open(in, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(in); return 2; }
    size_t len = (size_t)st.st_size;
    const unsigned char *text = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : (const unsigned char *)"";
    if (text == MAP_FAILED) { perror(in); return 2; }
    int64_t n = 0, cap = 1 << 16, *v = malloc((size_t)cap * sizeof *v);
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && text[end] != '\n') end++;
        size_t a = i, b = end;
        while (a < b && is_space(text[a])) a++;
        while (b > a && is_space(text[b - 1])) b--;
        if (a < b) {
            int neg = text[a] == '-';
            uint64_t x = 0;
            for (size_t k = a + (neg || text[a] == '+'); k < b; k++) x = x * 10 + (uint64_t)(text[k] - '0');
            if (n == cap) v = realloc(v, (size_t)(cap *= 2) * sizeof *v);
            v[n++] = neg ? (int64_t)(0 - x) : (int64_t)x;
        }
        i = end + 1;
    }
    merge_sort(v, n);
    int ofd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0644);
    FILE *f = ofd < 0 ? NULL : fdopen(ofd, "w");
    if (!f) { perror(out); return 2; }
    for (int64_t i = 0; i < n; i++) fprintf(f, "%lld\n", (long long)v[i]);
    return fclose(f) == 0 ? 0 : 1;
}
