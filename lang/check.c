/* check.c — the checker's pipeline and the built-in method table.
 * The passes run in order; each tolerates the errors of the previous ones
 * (poison types, NULL symbols), so every pass runs even after errors. */
#include "check.h"

const Builtin builtins[BUILTIN_COUNT] = {
#define METHOD(id, recv, name, sig, access) [BUILTIN_##id] = {RECV_##recv, name, sig, ACCESS_##access},
#include "builtins.def"
#undef METHOD
};

void check_program(Arena *arena, Program *program, const CheckOptions *options) {
    prelude_program();   /* before the passes: they are not re-entrant */
    resolve_program(arena, program);
    typecheck_program(arena, program);
    caps_program(arena, program, options);
}
