/* types.h — the types of Loam values (spec §3), interned.
 *
 * Types are interned: two types are equal iff their pointers are equal.
 * TY_POISON is the type of an expression that already produced an error;
 * every check accepts it silently, so one mistake gives one message.
 */
#ifndef LOAM_TYPES_H
#define LOAM_TYPES_H

#include "ast.h"

typedef enum TypeKind {
    TY_POISON,
    TY_VOID,       /* result of a call that returns nothing */
    TY_INT, TY_FLOAT, TY_BOOL, TY_BYTE, TY_STR,
    TY_REF,        /* future reference to a spawned task's output (§6) */
    TY_ARRAY,      /* [elem] */
    TY_MAP,        /* Map<key, value> */
    TY_STRUCT, TY_ENUM,
    TY_DO,         /* a DO handle: Blob with a mode, or in [Blob] when is_list */
} TypeKind;

struct Type {
    TypeKind kind;
    Type *elem;              /* TY_ARRAY */
    Type *key, *value;       /* TY_MAP */
    Item *decl;              /* TY_STRUCT, TY_ENUM */
    Mode mode;               /* TY_DO; MODE_NONE for a Blob written without one */
    bool is_list;            /* TY_DO: in [Blob] */
};

Type *type_poison(void);
Type *type_void(void);
Type *type_int(void);
Type *type_float(void);
Type *type_bool(void);
Type *type_byte(void);
Type *type_str(void);
Type *type_ref(void);
Type *type_array(Type *elem);
Type *type_map(Type *key, Type *value);
Type *type_do(Mode mode, bool is_list);
/* The type of a struct or enum item (allocated once per item). */
Type *type_named(Item *decl);

/* Writes a readable name ("[Str]", "Map<Str, Int>", "in Blob") into buf. */
const char *type_name(const Type *t, char *buf, size_t size);
/* A DO handle: a value of this type may not be stored anywhere (rule 3).
 * Arrays/maps whose elements are handles count too. */
bool type_holds_handle(const Type *t);

#endif
