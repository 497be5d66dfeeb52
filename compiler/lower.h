/* lower.h — the checked tree to LLVM IR (design §3, spec/abi.md).
 *
 * Consumes: a Program that check_program() accepted without errors (every
 * Expr typed, every call resolved). Produces: an LLVM module in the caller's
 * context, verified, holding one `void __loam_task_NAME(loam_value *args)`
 * per task (abi.md §7), the Loam functions they call (internal linkage), the
 * `__loam_tasks` table and `__loam_root_task`. Yield points sit at every
 * function entry and loop back-edge unless opts->yields is false.
 *
 * A construct the lowering does not handle yet is the user's problem, not
 * ours: it is reported with diag_error ("not yet supported: …") at its span
 * and lower_program returns NULL. Our own bugs (a module that does not
 * verify) are internal errors: the IR is dumped on stderr and die() exits 2.
 */
#ifndef LOAM_LOWER_H
#define LOAM_LOWER_H

#include "ast.h"

#include <llvm-c/Core.h>
#include <stdbool.h>

typedef struct LowerOptions {
    bool yields;                 /* insert yield points (false: --no-yield) */
    bool debug_info;             /* DWARF line tables (not yet emitted) */
    int opt_level;               /* 0..3, used by emit_module */
    const char *target_triple;   /* NULL: x86_64-unknown-linux-gnu */
    const char *root_task;       /* --task NAME; NULL: `main`, else the only task */
} LowerOptions;

/* The index in program order among tasks (= the index in __loam_tasks) of
 * the root task: the task named opts->root_task when given, else the one
 * named `main`, else the only task. -1 when there is none (no tasks, an
 * unknown name, or several tasks and no main): the driver reports that;
 * lower_program then emits __loam_root_task = -1. */
int lower_root_task(const Program *program, const LowerOptions *opts);

/* Builds and verifies the module. Returns NULL after reporting through
 * diag when the program uses a construct not supported yet. */
LLVMModuleRef lower_program(LLVMContextRef ctx, const Program *program, const LowerOptions *opts);

#endif
