/* shim.h — the hosted stand-in for the runtime (shim.c). */
#ifndef STDLIB_TEST_SHIM_H
#define STDLIB_TEST_SHIM_H

#include "loam_std.h"

#include <setjmp.h>

extern jmp_buf shim_jmp;
extern int shim_armed;                   /* a panic longjmps only while set */
extern char shim_panic_text[512];        /* "where: panic: what" of the last panic */

void shim_reset(void);                   /* frees everything __loam_alloc returned */

#endif
