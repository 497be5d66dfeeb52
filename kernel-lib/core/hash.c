/* hash.c — SHA-256 (FIPS 180-4), written from the standard: the one hash
 * behind every name in the kernel — the image's identity, the names of data
 * objects, the content hash of inputs bound on the command line and of
 * every committed object (spec/kernel.md §6). Portable C (about 150 MB/s
 * on one core), and the x86 SHA extensions when the processor has them
 * (cpuid leaf 7, EBX bit 29; about ten times faster), which every input
 * byte goes through before the root task can be named.
 */
#include "kernel.h"

#include <immintrin.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int n) { return x >> n | x << (32 - n); }

static void block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3;
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10;
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

/* The same compression with the SHA extensions. The state is kept as the
 * instructions want it: ABEF and CDGH in two registers. Message words
 * X[g..g+3] of group g (g = 0..15) come from the block, then from
 * X(g+4) = msg2(msg1(X(g), X(g+1)) + alignr(X(g+3), X(g+2), 4), X(g+3)). */
__attribute__((target("sha,sse4.1"))) static void blocks_sha_ext(uint32_t h[8], const uint8_t *p, int64_t n)
{
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);    /* CDAB */
    __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);    /* EFGH reversed */
    __m128i st0 = _mm_alignr_epi8(abcd, efgh, 8);                                       /* ABEF */
    __m128i st1 = _mm_blend_epi16(efgh, abcd, 0xF0);                                     /* CDGH */
    for (; n > 0; n--, p += 64) {
        __m128i save0 = st0, save1 = st1, x[4];
        for (int i = 0; i < 4; i++)
            x[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), swap);
        for (int g = 0; g < 16; g++) {
            __m128i t = _mm_add_epi32(x[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, t);
            st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(t, 0x0E));
            if (g < 12) {
                __m128i m = _mm_sha256msg1_epu32(x[g & 3], x[(g + 1) & 3]);
                m = _mm_add_epi32(m, _mm_alignr_epi8(x[(g + 3) & 3], x[(g + 2) & 3], 4));
                x[g & 3] = _mm_sha256msg2_epu32(m, x[(g + 3) & 3]);
            }
        }
        st0 = _mm_add_epi32(st0, save0);
        st1 = _mm_add_epi32(st1, save1);
    }
    __m128i feba = _mm_shuffle_epi32(st0, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(st1, 0xB1);
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0));   /* DCBA */
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));      /* HGFE */
}

static int has_sha_ext = -1;

static bool sha_ext(void)
{
    if (has_sha_ext < 0) {
        uint32_t a = 7, b, c = 0, d;
        __asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
        has_sha_ext = (b >> 29) & 1;
    }
    return has_sha_ext;
}

/* For tests: 0 forces the portable code. */
void lk_hash_use_extensions(bool on) { has_sha_ext = on ? -1 : 0; }

static void blocks(uint32_t h[8], const uint8_t *p, int64_t n)
{
    if (sha_ext()) {
        blocks_sha_ext(h, p, n);
        return;
    }
    for (; n > 0; n--, p += 64)
        block(h, p);
}

void lk_hash_init(lk_hash *s)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    memcpy(s->h, iv, sizeof iv);
    s->total = 0;
    s->used = 0;
}

void lk_hash_add(lk_hash *s, const void *data, int64_t n)
{
    const uint8_t *p = data;
    s->total += (uint64_t)n;
    if (s->used > 0) {
        int64_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->buf + s->used, p, (size_t)take);
        s->used += take, p += take, n -= take;
        if (s->used < 64)
            return;
        blocks(s->h, s->buf, 1);
        s->used = 0;
    }
    blocks(s->h, p, n / 64);
    p += n / 64 * 64;
    n %= 64;
    memcpy(s->buf, p, (size_t)n);
    s->used = n;
}

void lk_hash_end(lk_hash *s, uint8_t out[32])
{
    uint64_t bits = s->total * 8;
    uint8_t pad[72] = {0x80};
    int64_t padn = (s->used < 56 ? 56 : 120) - s->used;
    for (int i = 0; i < 8; i++)
        pad[padn + i] = (uint8_t)(bits >> (56 - 8 * i));
    lk_hash_add(s, pad, padn + 8);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(s->h[i] >> (24 - 8 * j));
}

void lk_hash_hex(const uint8_t digest[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = 0;
}
