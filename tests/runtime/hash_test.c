/* hash_test — kernel-lib/core/hash.c against the FIPS 180-4 examples and
 * against itself: the portable compression and the SHA-extension one must
 * agree on every length from 0 to 300 bytes, fed whole or in pieces.
 * A host program (libc), linked with hash.c alone. */
#include <stdio.h>
#include <string.h>

#include "core/kernel.h"

void lk_hash_use_extensions(bool on);

static int failures;

static void digest(const void *p, int64_t n, int64_t piece, char hex[65])
{
    lk_hash h;
    uint8_t d[32];
    lk_hash_init(&h);
    for (int64_t i = 0; i < n; i += piece)
        lk_hash_add(&h, (const uint8_t *)p + i, n - i < piece ? n - i : piece);
    lk_hash_end(&h, d);
    lk_hash_hex(d, hex);
}

static void expect(const char *name, const char *text, const char *want)
{
    char hex[65];
    digest(text, (int64_t)strlen(text), 1000, hex);
    if (strcmp(hex, want) != 0) {
        printf("FAIL %s: %s\n", name, hex);
        failures++;
    } else {
        printf("PASS %s\n", name);
    }
}

int main(void)
{
    for (int ext = 0; ext < 2; ext++) {
        lk_hash_use_extensions(ext);
        printf("-- %s\n", ext ? "SHA extensions when present" : "portable");
        expect("fips.empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        expect("fips.abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        expect("fips.two_blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    static uint8_t buf[300];
    for (int i = 0; i < 300; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    int agree = 1;
    for (int64_t n = 0; n <= 300; n++) {
        char a[65], b[65], c[65];
        lk_hash_use_extensions(false);
        digest(buf, n, 1000, a);
        lk_hash_use_extensions(true);
        digest(buf, n, 1000, b);
        digest(buf, n, 7, c);
        if (strcmp(a, b) != 0 || strcmp(a, c) != 0) {
            printf("FAIL agree.length_%lld\n", (long long)n);
            agree = 0;
            failures++;
        }
    }
    if (agree)
        printf("PASS agree.lengths_0_to_300_whole_and_in_pieces\n");
    printf("%d failed\n", failures);
    return failures != 0;
}
