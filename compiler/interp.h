/* interp.h — the reference interpreter behind `loam run --interp`
 * (spec/interp.md).
 *
 * Consumes: a Program that check_program() accepted. Runs its root task the
 * way an image would (spec/kernel.md): binds the command line, runs the
 * task, commits its outputs atomically; a panic prints the same line as an
 * image and ends with status 101, a binding error with status 2.
 */
#ifndef LOAM_INTERP_H
#define LOAM_INTERP_H

#include "ast.h"

/* Runs program's task item `root_item` (an index into program->items) with
 * the bindings argv[0..argc). `prog` names the program in binding messages,
 * as argv[0] names an image. Returns the exit status (0, 1, 2) or does not
 * return (a panic exits 101). */
int interp_run(const Program *program, int root_item, const char *prog, int argc, char **argv);

#endif
