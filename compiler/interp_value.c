/* interp_value.c — values of the interpreter: memory layouts, loads and
 * stores, equality, where-strings, and calls into stdlib-min through libffi.
 *
 * Layouts are those of compiler/lower.c (spec/abi.md §1): Bool and Byte one
 * byte, Int and Float 8, Str 16, pointers 8; a struct's fields in order at
 * their natural alignment; an enum an 8-byte tag then as many 8-byte words
 * as its largest payload (laid out as a struct) needs. stdlib-min only
 * moves elements by size, so any consistent layout would do; using the
 * compiler's keeps element sizes identical in both.
 */
#include "interp_internal.h"

#include <ffi.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * A pointer-keyed hash map
 */


/* ---------------------------------------------------------------------------
 * Layouts
 */

bool is_aggregate(const Type *t) { return t->kind == TY_STRUCT || t->kind == TY_ENUM; }

static int64_t align_up(int64_t n, int64_t a) { return (n + a - 1) / a * a; }

/* Lays out `n` fields of types `types` as a struct: offsets, size, align. */
static void struct_layout(Interp *I, uint32_t n, Type **types, int64_t *offsets, int64_t *size, int64_t *align) {
    int64_t at = 0, max_align = 1;
    for (uint32_t i = 0; i < n; i++) {
        const Layout *f = layout_of(I, types[i]);
        at = align_up(at, f->align);
        offsets[i] = at;
        at += f->size;
        if (f->align > max_align) max_align = f->align;
    }
    *size = align_up(at, max_align);
    *align = max_align;
}

const Layout *layout_of(Interp *I, Type *t) {
    void **slot = ptrmap_slot(&I->arena, &I->layouts, (uintptr_t)t);
    if (*slot) return *slot;
    Layout *l = arena_alloc(&I->arena, sizeof *l);
    switch (t->kind) {
    case TY_BOOL: case TY_BYTE: l->size = l->align = 1; break;
    case TY_INT: case TY_FLOAT: case TY_REF: case TY_ARRAY: case TY_MAP: case TY_DO: l->size = l->align = 8; break;
    case TY_STR: l->size = 16, l->align = 8; break;
    case TY_STRUCT: {
        Item *decl = t->decl;
        uint32_t n = decl->fields.len;
        Type **types = arena_alloc(&I->arena, (n + 1) * sizeof *types);
        for (uint32_t i = 0; i < n; i++) types[i] = ((Field *)decl->fields.items[i])->field_type;
        l->offsets = arena_alloc(&I->arena, (n + 1) * sizeof *l->offsets);
        struct_layout(I, n, types, l->offsets, &l->size, &l->align);
        break;
    }
    case TY_ENUM: {
        Item *decl = t->decl;
        uint32_t n = decl->fields.len;
        int64_t words = 0;
        l->payload_offsets = arena_alloc(&I->arena, (n + 1) * sizeof *l->payload_offsets);
        for (uint32_t v = 0; v < n; v++) {
            Field *variant = decl->fields.items[v];
            uint32_t k = variant->payload.len;
            int64_t *offsets = arena_alloc(&I->arena, (k + 1) * sizeof *offsets), size, align;
            struct_layout(I, k, variant->payload_types, offsets, &size, &align);
            for (uint32_t i = 0; i < k; i++) offsets[i] += 8;   /* after the tag */
            l->payload_offsets[v] = offsets;
            if ((size + 7) / 8 > words) words = (size + 7) / 8;
        }
        l->size = 8 + 8 * words, l->align = 8;
        break;
    }
    default: die("layout of a type the checker rejects (%d)", t->kind);
    }
    *slot = l;
    return l;
}

int64_t size_of_type(Interp *I, Type *t) { return layout_of(I, t)->size; }

/* ---------------------------------------------------------------------------
 * Loads, stores, copies
 */

Value load_value(Interp *I, Type *t, const void *p) {
    Value v = {0};
    if (t->kind == TY_BOOL) v.b = *(const uint8_t *)p != 0;
    else if (is_aggregate(t)) {
        int64_t size = size_of_type(I, t);
        v.agg = __loam_alloc(size);
        memcpy(v.agg, p, (size_t)size);
    } else memcpy(&v, p, (size_t)size_of_type(I, t));
    return v;
}

void store_value(Interp *I, Type *t, void *p, Value v) {
    if (t->kind == TY_BOOL) *(uint8_t *)p = v.b;
    else if (is_aggregate(t)) memcpy(p, v.agg, (size_t)size_of_type(I, t));
    else memcpy(p, &v, (size_t)size_of_type(I, t));
}

Value copy_value(Interp *I, Type *t, Value v) {
    return is_aggregate(t) ? load_value(I, t, v.agg) : v;
}

/* ---------------------------------------------------------------------------
 * Equality (spec §3.2): scalars as C compares them, Str bytewise, structs
 * field by field, enums by tag then that variant's payload, arrays
 * element-wise through stdlib-min.
 */

int kind_of(const Type *t) {
    switch (t->kind) {
    case TY_INT: return LOAM_K_INT;
    case TY_FLOAT: return LOAM_K_FLOAT;
    case TY_BYTE: return LOAM_K_BYTE;
    case TY_BOOL: return LOAM_K_BOOL;
    case TY_STR: return LOAM_K_STR;
    default: return -1;
    }
}

/* __loam_array_eq_by and _contains_by take a C function without context:
 * the element type it compares is kept here, saved and restored around
 * each call (an element may itself hold arrays). */
static Interp *eq_interp;
static Type *eq_type;

static bool equal_in_memory(const void *x, const void *y) {
    Interp *I = eq_interp;
    Type *t = eq_type;
    return interp_equal(I, t, load_value(I, t, x), load_value(I, t, y));
}

/* Calls __loam_array_eq_by or _contains_by (`id`) comparing elements of type elem. */
static bool call_by(Interp *I, StdId id, Type *elem, Value a, Value b) {
    Interp *saved_interp = eq_interp;
    Type *saved_type = eq_type;
    eq_interp = I, eq_type = elem;
    Value r = std_call(id, 3, (Value[]){a, b, {.p = (void *)equal_in_memory}});
    eq_interp = saved_interp, eq_type = saved_type;
    return r.b;
}

bool array_contains(Interp *I, Type *elem, Value a, Value x) {
    uint8_t *spilled = __loam_alloc(size_of_type(I, elem));
    store_value(I, elem, spilled, x);
    int kind = kind_of(elem);
    if (kind >= 0) return std_call(STD_array_contains, 3, (Value[]){a, {.p = spilled}, {.i = kind}}).b;
    return call_by(I, STD_array_contains_by, elem, a, (Value){.p = spilled});
}

bool interp_equal(Interp *I, Type *t, Value a, Value b) {
    switch (t->kind) {
    case TY_INT: return a.i == b.i;
    case TY_FLOAT: return a.f == b.f;
    case TY_BOOL: return a.b == b.b;
    case TY_BYTE: return a.byte == b.byte;
    case TY_STR: return std_call(STD_str_eq, 2, (Value[]){a, b}).b;
    case TY_STRUCT: {
        const Layout *l = layout_of(I, t);
        bool all = true;
        for (uint32_t i = 0; i < t->decl->fields.len; i++) {
            Type *ft = ((Field *)t->decl->fields.items[i])->field_type;
            all &= interp_equal(I, ft, load_value(I, ft, a.agg + l->offsets[i]), load_value(I, ft, b.agg + l->offsets[i]));
        }
        return all;
    }
    case TY_ENUM: {
        int64_t tag_a, tag_b;
        memcpy(&tag_a, a.agg, 8);
        memcpy(&tag_b, b.agg, 8);
        if (tag_a != tag_b) return false;
        Field *variant = t->decl->fields.items[tag_a];
        const int64_t *offsets = layout_of(I, t)->payload_offsets[tag_a];
        bool all = true;
        for (uint32_t k = 0; k < variant->payload.len; k++) {
            Type *ft = variant->payload_types[k];
            all &= interp_equal(I, ft, load_value(I, ft, a.agg + offsets[k]), load_value(I, ft, b.agg + offsets[k]));
        }
        return all;
    }
    case TY_ARRAY: {
        int kind = kind_of(t->elem);
        if (kind >= 0) return std_call(STD_array_eq, 3, (Value[]){a, b, {.i = kind}}).b;
        return call_by(I, STD_array_eq_by, t->elem, a, b);
    }
    default: break;
    }
    die("equality on a type the checker rejects (%d)", t->kind);
}

/* ---------------------------------------------------------------------------
 * Where-strings and formatting
 */

/* "file:line:col", as lower.c's where(): one string per position. */
const char *where_of(Interp *I, Span at) {
    void **slot = ptrmap_slot(&I->arena, &I->wheres, ((uintptr_t)at.line << 32 | at.col) + 1);
    if (*slot) return *slot;
    char buf[1024];
    const char *path = at.file && at.file->path ? at.file->path : "?";
    int n = snprintf(buf, sizeof buf, "%s:%u:%u", path, at.line, at.col);
    if (n < 0 || (size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
    *slot = arena_strndup(&I->arena, buf, (size_t)n);
    return *slot;
}

/* The text `{v}` inserts (stdlib.md §3). */
loam_str format_value(Type *t, Value v) {
    switch (t->kind) {
    case TY_INT: return std_call(STD_fmt_int, 1, &v).s;
    case TY_FLOAT: return std_call(STD_fmt_float, 1, &v).s;
    case TY_BOOL: return std_call(STD_fmt_bool, 1, &v).s;
    case TY_BYTE: return std_call(STD_fmt_byte, 1, &v).s;
    case TY_STR: return v.s;
    default: die("interpolation of a type the checker rejects");
    }
}

/* ---------------------------------------------------------------------------
 * stdlib-min through libffi
 */

typedef struct StdFn {
    const char *name;
    void (*address)(void);
    const char *signature;   /* interp_std.def */
    bool ready;
    ffi_cif cif;
    ffi_type *params[8];
} StdFn;

static StdFn std_fns[STD_COUNT] = {
#define STD(name, sig) {"__loam_" #name, (void (*)(void))__loam_##name, sig, false, {0}, {0}},
#include "interp_std.def"
#undef STD
};

/* loam_str as libffi sees it: { pointer, int64 } by value. */
static ffi_type *str_elements[3] = {&ffi_type_pointer, &ffi_type_sint64, NULL};
static ffi_type str_type = {.size = 0, .alignment = 0, .type = FFI_TYPE_STRUCT, .elements = str_elements};

static ffi_type *ffi_type_of(char c) {
    switch (c) {
    case 'v': return &ffi_type_void;
    case 'i': return &ffi_type_sint64;
    case 'f': return &ffi_type_double;
    case 'b': case 'y': return &ffi_type_uint8;
    case 's': return &str_type;
    case 'p': return &ffi_type_pointer;
    case 'n': return &ffi_type_sint32;
    default: die("bad letter '%c' in a stdlib signature", c);
    }
}

static void prepare(StdFn *f) {
    if (f->ready) return;
    unsigned n = (unsigned)strlen(f->signature) - 1;
    if (n > 8) die("'%s' has too many parameters", f->name);
    for (unsigned i = 0; i < n; i++) f->params[i] = ffi_type_of(f->signature[i + 1]);
    if (ffi_prep_cif(&f->cif, FFI_DEFAULT_ABI, n, ffi_type_of(f->signature[0]), f->params) != FFI_OK)
        die("libffi cannot describe '%s'", f->name);
    f->ready = true;
}

Value std_call(StdId id, int n, const Value *args) {
    StdFn *f = &std_fns[id];
    prepare(f);
    if (n != (int)f->cif.nargs) die("'%s' called with %d arguments", f->name, n);
    /* Arguments are read from the first bytes of each Value, which hold the
     * C form of every letter (little-endian: the low byte of a bool). An
     * int (n) is passed from its own int32_t. */
    void *pointers[8];
    Value copies[8];
    int32_t ints[8];
    for (int i = 0; i < n; i++) {
        copies[i] = args[i];
        if (f->signature[i + 1] == 'n') {
            ints[i] = (int32_t)args[i].i;
            pointers[i] = &ints[i];
        } else pointers[i] = &copies[i];
    }
    /* Results narrower than a register come back widened to an ffi_arg. */
    union { ffi_arg word; ffi_sarg signed_word; loam_str s; double f; void *p; } ret = {0};
    ffi_call(&f->cif, f->address, &ret, pointers);
    Value v = {0};
    switch (f->signature[0]) {
    case 'i': v.i = (int64_t)ret.signed_word; break;
    case 'n': v.i = (int32_t)ret.signed_word; break;
    case 'b': v.b = (uint8_t)ret.word != 0; break;
    case 'y': v.byte = (uint8_t)ret.word; break;
    case 'f': v.f = ret.f; break;
    case 's': v.s = ret.s; break;
    case 'p': v.p = ret.p; break;
    default: break;
    }
    return v;
}

int std_lookup(const char *name) {
    for (int i = 0; i < STD_COUNT; i++)
        if (strcmp(std_fns[i].name, name) == 0) return i;
    return -1;
}

static char letter_of(Type *t) {
    switch (t->kind) {
    case TY_VOID: return 'v';
    case TY_INT: return 'i';
    case TY_FLOAT: return 'f';
    case TY_BOOL: return 'b';
    case TY_BYTE: return 'y';
    case TY_STR: return 's';
    case TY_REF: case TY_ARRAY: case TY_MAP: case TY_DO: return 'p';
    default: return '?';
    }
}

/* Whether an extern fn declared with these Loam types has the C signature
 * of stdlib-min's function `id`; calling it otherwise would be undefined
 * behaviour in C, so interp.c refuses such a program before running it. */
bool std_signature_matches(int id, Type *result, int n, Type **types) {
    const char *have = std_fns[id].signature;
    if (strlen(have) != (size_t)n + 1) return false;
    for (int i = 0; i <= n; i++) {
        char want = letter_of(i == 0 ? result : types[i - 1]);
        if (have[i] != want && !(have[i] == 'n' && want == 'i')) return false;
    }
    return true;
}
