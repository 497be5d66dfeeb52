/* link.h — from object files to an image (design §4).
 *
 * Consumes: the object emitted by the compiler, the runtime and standard
 * library archives, a linker script per target. Produces: one static image,
 * by running ld.lld. Also the image's manifest: a small text that records
 * the tasks and their parameters, the target and the compiler version; the
 * compiler places it in the `.loam.manifest` section and `loam inspect`
 * reads it back.
 */
#ifndef LOAM_LINK_H
#define LOAM_LINK_H

#include "ast.h"

#include <stdbool.h>
#include <stdio.h>

/* Path of ld.lld: $LOAM_LD, else ld.lld-16 or ld.lld on PATH, else
 * `llvm-config-16 --bindir`/ld.lld. NULL when none is found. */
const char *link_find_lld(void);

typedef struct LinkJob {
    const char *lld;              /* from link_find_lld() */
    const char *script;           /* linker script of the target */
    const char **inputs;          /* objects and archives, in link order */
    int input_count;
    const char *output;
    bool verbose;                 /* print the ld.lld command line on stderr */
    bool keep_symbols;            /* -g: keep symbols and debug info for gdb */
} LinkJob;

/* Runs ld.lld. Returns true on success; on failure ld.lld's own messages
 * have gone to stderr and *error says what failed. */
bool link_run(const LinkJob *job, char *error, size_t error_size);

/* The manifest text of a checked program (arena-allocated). root is the
 * index in program->items of the root task. Format (spec/image.md):
 *   loam-manifest 1
 *   compiler loam VERSION
 *   target TRIPLE KIND
 *   task NAME [root]
 *   param NAME MODE TYPE        (one line per parameter of the task above)
 */
char *manifest_text(Arena *arena, const Program *program, int root, const char *triple, const char *kind);

/* Reads the `.loam.manifest` section of an ELF image into a malloc'd,
 * NUL-terminated string. NULL with *error set when the file is not a Loam
 * image. */
char *manifest_read(const char *image_path, char *error, size_t error_size);

/* Prints a manifest as text or as one JSON object. */
void manifest_print(const char *manifest, bool json, FILE *out);

#endif
