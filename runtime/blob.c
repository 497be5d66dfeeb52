/* blob.c — the client side of data objects (spec/abi.md §4): thin checked
 * calls into the kernel's buffers (kernel-lib/core/do.c).
 */
#include "lk.h"

uint8_t *__loam_request(loam_do *out, int64_t n) { return lk_out_reserve(out, n); }

void __loam_commit(loam_do *out, uint8_t *p, int64_t used) { lk_out_append(out, p, used); }

loam_str __loam_blob_text(loam_do *in) { return lk_in_text(in); }

int64_t __loam_blob_len(loam_do *in) { return lk_in_text(in).len; }
