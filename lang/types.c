/* types.c — construction and interning of types (spec §3).
 *
 * Scalars are static singletons; arrays and maps are interned in a small
 * hash table keyed by their component pointers, so that pointer equality is
 * type equality. Types live for the whole process (they are few).
 */
#include "types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Type poison = {.kind = TY_POISON}, void_ = {.kind = TY_VOID}, int_ = {.kind = TY_INT},
            float_ = {.kind = TY_FLOAT}, bool_ = {.kind = TY_BOOL}, byte_ = {.kind = TY_BYTE},
            str_ = {.kind = TY_STR}, ref_ = {.kind = TY_REF};
static Type do_types[3][2] = {
    {{.kind = TY_DO, .mode = MODE_NONE}, {.kind = TY_DO, .mode = MODE_NONE, .is_list = true}},
    {{.kind = TY_DO, .mode = MODE_IN}, {.kind = TY_DO, .mode = MODE_IN, .is_list = true}},
    {{.kind = TY_DO, .mode = MODE_OUT}, {.kind = TY_DO, .mode = MODE_OUT, .is_list = true}},
};

Type *type_poison(void) { return &poison; }
Type *type_void(void) { return &void_; }
Type *type_int(void) { return &int_; }
Type *type_float(void) { return &float_; }
Type *type_bool(void) { return &bool_; }
Type *type_byte(void) { return &byte_; }
Type *type_str(void) { return &str_; }
Type *type_ref(void) { return &ref_; }
Type *type_do(Mode mode, bool is_list) { return &do_types[mode][is_list]; }

static Arena type_arena;
static Type **table;
static size_t table_cap, table_count;

static size_t slot_of(TypeKind kind, const Type *a, const Type *b) {
    uintptr_t h = (uintptr_t)kind * 0x9E3779B97F4A7C15u;
    h ^= (uintptr_t)a * 0xBF58476D1CE4E5B9u;
    h ^= (uintptr_t)b * 0x94D049BB133111EBu;
    return (size_t)(h ^ (h >> 29));
}

static Type *intern_type(TypeKind kind, Type *a, Type *b) {
    if (table_count * 2 >= table_cap) {
        size_t cap = table_cap ? table_cap * 2 : 256;
        Type **t = calloc(cap, sizeof *t);
        if (!t) die("out of memory (type table)");
        for (size_t i = 0; i < table_cap; i++) {
            Type *e = table[i];
            if (!e) continue;
            size_t j = slot_of(e->kind, e->kind == TY_ARRAY ? e->elem : e->key, e->value) & (cap - 1);
            while (t[j]) j = (j + 1) & (cap - 1);
            t[j] = e;
        }
        free(table);
        table = t;
        table_cap = cap;
    }
    size_t j = slot_of(kind, a, b) & (table_cap - 1);
    for (Type *e; (e = table[j]); j = (j + 1) & (table_cap - 1)) {
        if (e->kind != kind) continue;
        if (kind == TY_ARRAY && e->elem == a) return e;
        if (kind == TY_MAP && e->key == a && e->value == b) return e;
    }
    Type *t = arena_alloc(&type_arena, sizeof *t);
    t->kind = kind;
    if (kind == TY_ARRAY) t->elem = a;
    else t->key = a, t->value = b;
    table[j] = t;
    table_count++;
    return t;
}

Type *type_array(Type *elem) {
    if (elem->kind == TY_POISON) return &poison;
    return intern_type(TY_ARRAY, elem, NULL);
}

Type *type_map(Type *key, Type *value) {
    if (key->kind == TY_POISON || value->kind == TY_POISON) return &poison;
    return intern_type(TY_MAP, key, value);
}

Type *type_named(Item *decl) {
    if (!decl->type) {
        Type *t = arena_alloc(&type_arena, sizeof *t);
        t->kind = decl->kind == I_STRUCT ? TY_STRUCT : TY_ENUM;
        t->decl = decl;
        decl->type = t;
    }
    return decl->type;
}

bool type_holds_handle(const Type *t) {
    switch (t->kind) {
    case TY_DO: return true;
    case TY_ARRAY: return type_holds_handle(t->elem);
    case TY_MAP: return type_holds_handle(t->key) || type_holds_handle(t->value);
    default: return false;
    }
}

/* Appends the name of t at buf[*len], truncating safely. */
static void append_name(const Type *t, char *buf, size_t size, size_t *len) {
#define PUT(s)                                                          \
    do {                                                                \
        int n_ = snprintf(buf + *len, size - *len, "%s", (s));          \
        if (n_ > 0) *len += (size_t)n_ < size - *len ? (size_t)n_ : size - *len - 1; \
    } while (0)
    if (*len + 1 >= size) return;
    switch (t->kind) {
    case TY_POISON: PUT("<error>"); break;
    case TY_VOID: PUT("no value"); break;
    case TY_INT: PUT("Int"); break;
    case TY_FLOAT: PUT("Float"); break;
    case TY_BOOL: PUT("Bool"); break;
    case TY_BYTE: PUT("Byte"); break;
    case TY_STR: PUT("Str"); break;
    case TY_REF: PUT("Ref"); break;
    case TY_ARRAY: PUT("["); append_name(t->elem, buf, size, len); PUT("]"); break;
    case TY_MAP:
        PUT("Map<");
        append_name(t->key, buf, size, len);
        PUT(", ");
        append_name(t->value, buf, size, len);
        PUT(">");
        break;
    case TY_STRUCT:
    case TY_ENUM: PUT(t->decl->name); break;
    case TY_DO:
        PUT(t->mode == MODE_IN ? "in " : t->mode == MODE_OUT ? "out " : "");
        PUT(t->is_list ? "[Blob]" : "Blob");
        break;
    }
#undef PUT
}

const char *type_name(const Type *t, char *buf, size_t size) {
    size_t len = 0;
    buf[0] = 0;
    append_name(t, buf, size, &len);
    return buf;
}
