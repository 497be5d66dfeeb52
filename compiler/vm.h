/* vm.h — `loam run --vm`: runs a μVM image under QEMU's microvm machine
 * (spec/kernel.md, μVM section). Consumes: an image built with
 * `--target muvm` and the root task's bindings; produces: the guest's
 * console on stdout/stderr, its committed outputs at their bound paths
 * (atomically, nothing on failure), and its exit status.
 */
#ifndef LOAM_VM_H
#define LOAM_VM_H

#include <stdbool.h>

typedef struct VmRun {
    const char *image;          /* built with --target muvm */
    const char *argv0;          /* how binding messages name the program */
    int argc;                   /* bindings NAME=VALUE, as for a hosted image */
    char **argv;
    double timeout;             /* seconds; <= 0: none */
    bool verbose;               /* print the QEMU command line on stderr */
} VmRun;

/* Boots the image and waits for it. Returns the guest's exit status (0, 1,
 * 2, 101), 124 when the timeout stopped it, or 1 with one line on stderr
 * when QEMU cannot run it. Never leaves a temporary file behind. */
int vm_run(const VmRun *run);

/* Whether path starts like an ELF file (a prebuilt image, not a source). */
bool vm_is_image(const char *path);

#endif
