/* gen.c — a deterministic text for the wordcount benchmark.
 *
 *     gen MEGABYTES [SEED] > text.txt
 *
 * Writes at least MEGABYTES × 10^6 bytes (then finishes the line) of lines
 * of 4 to 16 words separated by single spaces, some by two or by a tab. The
 * words come from a vocabulary of 5,000 made-up lowercase words of 2 to 12
 * letters, drawn with a skewed (roughly Zipf-like) distribution so that a few
 * words are very frequent and most are rare, as in real text. Everything
 * comes from one xorshift64* generator seeded with SEED (default 1), so the
 * same arguments always give the same bytes on every machine and libc. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { VOCABULARY = 5000, MAX_WORD = 12 };

static uint64_t state;

static uint64_t next(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ull;
}

/* A uniform integer in [0, n). The bias of the modulo is irrelevant here. */
static unsigned below(unsigned n) { return (unsigned)(next() >> 33) % n; }

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s MEGABYTES [SEED]\n", argv[0]);
        return 2;
    }
    long long target = atoll(argv[1]) * 1000000LL;
    state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    if (state == 0) state = 1;

    static char words[VOCABULARY][MAX_WORD + 1];
    static const char letters[] = "etaoinshrdlcumwfgypbvkjxqz";
    for (int w = 0; w < VOCABULARY; w++) {
        int len = 2 + (int)below(MAX_WORD - 1);
        /* common letters more often: the square of a uniform index */
        for (int i = 0; i < len; i++) {
            unsigned u = below(26);
            words[w][i] = letters[u * u / 26];
        }
        words[w][len] = '\0';
    }

    static char buf[1 << 16];
    size_t used = 0;
    long long written = 0;
    while (written < target) {
        int n = 4 + (int)below(13);
        for (int i = 0; i < n; i++) {
            /* skewed draw: the index is VOCABULARY × u^3 for a uniform u */
            double u = (double)(next() >> 11) / 9007199254740992.0;
            const char *w = words[(int)(VOCABULARY * u * u * u)];
            size_t len = strlen(w);
            if (i > 0) {
                unsigned sep = below(50);
                if (sep == 0) buf[used++] = '\t';
                else if (sep == 1) { buf[used++] = ' '; buf[used++] = ' '; }
                else buf[used++] = ' ';
            }
            memcpy(buf + used, w, len);
            used += len;
        }
        buf[used++] = '\n';
        if (used > sizeof buf - 256) {
            fwrite(buf, 1, used, stdout);
            written += (long long)used;
            used = 0;
        }
    }
    fwrite(buf, 1, used, stdout);
    return ferror(stdout) ? 1 : 0;
}
