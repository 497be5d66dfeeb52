/* int.c — methods of Int, Byte and Bool (spec §7) and their formatting
 * entry points (loam_rt.h §6). Int text is decimal with a leading '-' for
 * negatives; a Byte prints its decimal value; a Bool "true" or "false".
 */
#include "std_internal.h"

loam_str __loam_fmt_int(int64_t v)
{
    char d[20];
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int n = std_u64_digits(u, d);
    loam_str s;
    uint8_t *p = std_str_alloc(n + (v < 0), &s);
    if (v < 0)
        *p++ = '-';
    memcpy(p, d, (size_t)n);
    return s;
}

loam_str __loam_fmt_bool(bool v)
{
    return v ? (loam_str){(const uint8_t *)"true", 4} : (loam_str){(const uint8_t *)"false", 5};
}

loam_str __loam_fmt_byte(uint8_t v)
{
    return __loam_fmt_int(v);
}

double __loam_int_float(int64_t v) { return (double)v; }

uint8_t __loam_int_byte(const char *where, int64_t v)
{
    if (v < 0 || v > 255) {
        std_msg m = {0};
        std_msg_cstr(&m, "Int ");
        std_msg_int(&m, v);
        std_msg_cstr(&m, " does not fit in a Byte");
        __loam_panic(where, std_msg_done(&m));
    }
    return (uint8_t)v;
}

loam_str __loam_int_str(int64_t v) { return __loam_fmt_int(v); }

int64_t __loam_int_abs(const char *where, int64_t v)
{
    if (v == INT64_MIN)
        __loam_panic_overflow(where);
    return v < 0 ? -v : v;
}

int64_t __loam_int_min(int64_t a, int64_t b) { return a < b ? a : b; }
int64_t __loam_int_max(int64_t a, int64_t b) { return a > b ? a : b; }

int64_t __loam_byte_int(uint8_t b) { return b; }
loam_str __loam_byte_str(uint8_t b) { return __loam_fmt_int(b); }
bool __loam_byte_is_space(uint8_t b) { return std_is_space(b); }
bool __loam_byte_is_digit(uint8_t b) { return b >= '0' && b <= '9'; }
bool __loam_byte_is_alpha(uint8_t b) { return (uint8_t)((b | 0x20) - 'a') < 26; }
loam_str __loam_bool_str(bool b) { return __loam_fmt_bool(b); }
