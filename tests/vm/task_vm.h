/* task_vm.h — the manifest a hand-written μVM test task carries: what
 * `loam build --target muvm` would write (linker/manifest.c), so that
 * `loam run --vm` knows the root task's parameters. */
#ifndef TEST_TASK_VM_H
#define TEST_TASK_VM_H

#include "task.h"

#define VM_MANIFEST(text)                                                     \
    __attribute__((used, section(".loam.manifest"))) static const char        \
        manifest[] = "loam-manifest 1\ncompiler loam test\n"                  \
                     "target x86_64-unknown-none-elf muvm\n" text

#endif
