/* loam_std.h — the standard library's entry points (spec/stdlib.md).
 *
 * Every method of the built-in types Int, Float, Byte, Bool, Str, [T] and
 * Map<K,V> (lang/builtins.def, spec §7) is one `__loam_*` function here,
 * plus the operators on strings, bounds-checked indexing and slicing, and
 * what the formatting entry points of loam_rt.h §6 need. Freestanding C17.
 *
 * Conventions:
 *  - `where` is the "file:line:col" of the Loam expression; it is only
 *    passed on to __loam_panic*, so any function taking one MAY panic.
 *  - Every returned Str, array or map is fresh memory from __loam_alloc
 *    unless stated otherwise; a Str result MAY share bytes with an argument
 *    (Str is immutable), an array or map result never does.
 *  - Element, key and value storage is inline: a generic function takes the
 *    element size, and functions that compare take a loam_kind.
 */
#ifndef LOAM_STD_H
#define LOAM_STD_H

#include "loam_rt.h"

/* What a comparing function needs to know about a scalar element or key.
 * C types: INT int64_t, FLOAT double, BYTE uint8_t, BOOL bool (1 byte),
 * STR loam_str. */
typedef enum loam_kind {
    LOAM_K_INT, LOAM_K_FLOAT, LOAM_K_BYTE, LOAM_K_BOOL, LOAM_K_STR,
} loam_kind;

/* ---- Int (int.c) ---- */

double __loam_int_float(int64_t v);                          /* exact or nearest */
/* Panics "Int 300 does not fit in a Byte" unless 0 <= v <= 255. */
uint8_t __loam_int_byte(const char *where, int64_t v);
loam_str __loam_int_str(int64_t v);                          /* = __loam_fmt_int */
int64_t __loam_int_abs(const char *where, int64_t v);        /* overflow panic on INT64_MIN */
int64_t __loam_int_min(int64_t a, int64_t b);
int64_t __loam_int_max(int64_t a, int64_t b);

/* ---- Float (float.c) ---- */

/* Truncates toward zero; panics "cannot convert nan to an Int" for NaN,
 * infinities and values outside [-2^63, 2^63). */
int64_t __loam_float_int(const char *where, double v);
loam_str __loam_float_str(double v);                         /* = __loam_fmt_float */
double __loam_float_sqrt(double v);                          /* IEEE sqrt; NaN for v < 0 */
double __loam_float_abs(double v);                           /* clears the sign bit */
double __loam_float_floor(double v);                         /* exact */
double __loam_float_ceil(double v);                          /* exact */
/* `a % b` on Floats: fmod, exact; the sign of a; NaN for b = 0, a infinite
 * or a NaN operand; a itself when |a| < |b| (b infinite included). */
double __loam_float_rem(double a, double b);
/* NaN if either is NaN; -0.0 is below 0.0. */
double __loam_float_min(double a, double b);
double __loam_float_max(double a, double b);
/* Writes the shortest decimal digits that read back as v (v finite, > 0)
 * into digits[0..17) without a NUL; returns their count n and sets *exp10
 * so that v = 0.d1d2…dn × 10^*exp10. The core of __loam_fmt_float. */
int __loam_float_shortest(double v, char digits[17], int *exp10);

/* ---- Byte and Bool (int.c) ---- */

int64_t __loam_byte_int(uint8_t b);
loam_str __loam_byte_str(uint8_t b);                         /* decimal, "97" */
bool __loam_byte_is_space(uint8_t b);                        /* ' ' \t \n \v \f \r */
bool __loam_byte_is_digit(uint8_t b);                        /* '0'..'9' */
bool __loam_byte_is_alpha(uint8_t b);                        /* ASCII letters */
loam_str __loam_bool_str(bool b);                            /* "true" / "false" */

/* ---- Str (str.c, parse.c) ---- */

/* Builds a Str from a NUL-terminated C string; shares its bytes. */
loam_str __loam_str_c(const char *s);
bool __loam_str_eq(loam_str a, loam_str b);                  /* `==` */
int __loam_str_cmp(loam_str a, loam_str b);                  /* bytewise: <0, 0, >0 */
loam_str __loam_str_add(loam_str a, loam_str b);             /* `+` */
/* `s[i]`: panics_bounds(i, len) unless 0 <= i < len. */
uint8_t __loam_str_at(const char *where, loam_str s, int64_t i);
/* `s[lo..hi]` (the compiler passes 0 / s.len for an omitted end): panics
 * naming the bad index and the length unless 0 <= lo <= hi <= len. Shares
 * the bytes of s. */
loam_str __loam_str_slice(const char *where, loam_str s, int64_t lo, int64_t hi);
int64_t __loam_str_len(loam_str s);
loam_array *__loam_str_bytes(loam_str s);                    /* a fresh [Byte] copy */
/* Lines split at '\n'; a '\r' before the '\n' is dropped; a final empty
 * line (text ending in '\n', or "") is not a line. Elements share bytes. */
loam_array *__loam_str_lines(loam_str s);
/* MUST: 0 <= from <= s.len. The index of the first '\n' at or after from,
 * or s.len: the end of the line starting at from. `for line in s.lines()`
 * calls it instead of building the array. */
int64_t __loam_str_line_end(loam_str s, int64_t from);
/* The runs of non-whitespace (ASCII whitespace as in is_space). */
loam_array *__loam_str_words(loam_str s);
/* Pieces between occurrences of sep (n occurrences give n+1 pieces, empty
 * ones included); panics "split: the separator is empty" if sep is "". */
loam_array *__loam_str_split(const char *where, loam_str s, loam_str sep);
int64_t __loam_str_find(loam_str s, loam_str needle);        /* first byte index, -1 if absent; "" is at 0 */
/* [+-]?digits, '_' allowed between digits; anything else, or a value
 * outside Int, panics "cannot parse 'abc' as an Int". */
int64_t __loam_str_parse_int(const char *where, loam_str s);
/* [+-]?digits('.'digits)?([eE][+-]?digits)?, '_' between digits, or
 * [+-]?inf / nan; correctly rounded (round half to even), overflow gives
 * ±inf, underflow ±0. Anything else panics "cannot parse 'x' as a Float". */
double __loam_str_parse_float(const char *where, loam_str s);
loam_str __loam_str_lower(loam_str s);                       /* ASCII only */
loam_str __loam_str_upper(loam_str s);                       /* ASCII only */
/* n copies; panics "repeat: negative count -1" for n < 0, overflow if the
 * length does not fit an Int. */
loam_str __loam_str_repeat(const char *where, loam_str s, int64_t n);

/* ---- [T] (array.c); a is never NULL ---- */

/* An empty array with room for cap elements (cap >= 0). */
loam_array *__loam_array_new(int64_t elem_size, int64_t cap);
/* A fresh array holding a copy of len elements at data (array literals). */
loam_array *__loam_array_from(int64_t elem_size, const void *data, int64_t len);
int64_t __loam_array_len(const loam_array *a);
/* `xs[i]`: the element's address; panics_bounds unless 0 <= i < len. The
 * address is valid until the next push/insert on a. */
void *__loam_array_at(const char *where, const loam_array *a, int64_t i);
/* `xs[lo..hi]`: a fresh array copying elements lo..hi (bounds as for Str). */
loam_array *__loam_array_slice(const char *where, const loam_array *a, int64_t lo, int64_t hi);
/* Appends a copy of *elem; capacity grows geometrically (×2). */
void __loam_array_push(loam_array *a, const void *elem);
/* Removes the last element into *out; panics "pop: the array is empty". */
void __loam_array_pop(const char *where, loam_array *a, void *out);
/* Inserts *elem before index i; panics_bounds unless 0 <= i <= len. */
void __loam_array_insert(const char *where, loam_array *a, int64_t i, const void *elem);
/* Removes element i into *out, shifting the rest; panics_bounds unless
 * 0 <= i < len. */
void __loam_array_remove(const char *where, loam_array *a, int64_t i, void *out);
/* Sorts in place, ascending and stable, O(n log n) worst case. Float: NaN
 * after every number (all NaNs equal), -0.0 equal to 0.0. Str bytewise. */
void __loam_array_sort(loam_array *a, loam_kind kind);
loam_array *__loam_array_sorted(const loam_array *a, loam_kind kind);  /* a sorted copy */
void __loam_array_reverse(loam_array *a);
/* Whether an element equals *elem under `==` of kind (Float: NaN never). */
bool __loam_array_contains(const loam_array *a, const void *elem, loam_kind kind);
/* The same for any element type, with the compiler's equality function. */
bool __loam_array_contains_by(const loam_array *a, const void *elem,
                              bool (*eq)(const void *x, const void *y));
/* `==` on two arrays of a scalar kind: same length, elements pairwise ==. */
bool __loam_array_eq(const loam_array *a, const loam_array *b, loam_kind kind);
/* a == b for elements the compiler compares (structs, enums, arrays): same
 * length and eq(&a[i], &b[i]) for every i. */
bool __loam_array_eq_by(const loam_array *a, const loam_array *b, bool (*eq)(const void *x, const void *y));
/* MUST: a holds Str. The elements with sep between them. */
loam_str __loam_array_join(const loam_array *a, loam_str sep);

/* ---- Map<K,V> (map.c); m is never NULL ----
 * Keys are passed and returned by address, pointing at their C type
 * (int64_t, uint8_t, bool or loam_str, by key kind); values are stored
 * inline, value_size bytes, and come back zero-filled when new. Iteration
 * is by entry index: i = __loam_map_next(m, 0); while (i >= 0) { …key_at(m,
 * i), value_at(m, i)…; i = __loam_map_next(m, i + 1); } visits live entries
 * in insertion order. Changing m during iteration is memory-safe but the
 * entries visited are then unspecified. */

/* MUST: key_kind is INT, STR, BYTE or BOOL; value_size >= 0. */
loam_map *__loam_map_new(loam_kind key_kind, int64_t value_size);
int64_t __loam_map_len(const loam_map *m);
/* The value stored for *key, or NULL; valid until the next insertion. */
void *__loam_map_find(const loam_map *m, const void *key);
/* `m[k]` as an rvalue: panics "key 'k' is not in the map" if missing. */
void *__loam_map_at(const char *where, const loam_map *m, const void *key);
/* `m[k] op= v`: the value for *key, inserting a zero-filled one (at the
 * end of the order) if missing. Valid until the next insertion. */
void *__loam_map_slot(loam_map *m, const void *key);
/* `m[k] = v`: copies *value in; a new key goes last, an existing one keeps
 * its place. */
void __loam_map_set(loam_map *m, const void *key, const void *value);
bool __loam_map_has(const loam_map *m, const void *key);
/* `m.get(k, d)`: copies the value for *key, or *dflt, into *out. */
void __loam_map_get(const loam_map *m, const void *key, const void *dflt, void *out);
/* Removes *key if present (no panic if absent); the others keep order. */
void __loam_map_remove(loam_map *m, const void *key);
loam_array *__loam_map_keys(const loam_map *m);              /* [K] in order */
loam_array *__loam_map_values(const loam_map *m);            /* [V] in order */
/* A fresh map with the same entries, inserted in ascending key order
 * (false < true; Str bytewise). */
loam_map *__loam_map_sorted(const loam_map *m);
/* The first live entry index >= i, or -1 when there is none. */
int64_t __loam_map_next(const loam_map *m, int64_t i);
/* MUST: i returned by __loam_map_next and no change to m since. */
void *__loam_map_key_at(const loam_map *m, int64_t i);
void *__loam_map_value_at(const loam_map *m, int64_t i);

/* ---- hashing (map.c), exposed for the compiler's own tables ---- */

uint64_t __loam_hash_int(int64_t v);
uint64_t __loam_hash_str(loam_str s);

#endif
