/* control.h — the control disk of a μVM run (spec/kernel.md, μVM §4): how
 * `loam run --vm` (compiler/vm.c) hands the root task's arguments and input
 * DOs to the guest, and how the guest reports which outputs it committed.
 * Included by both sides; plain fixed-width fields, little-endian.
 *
 * The disk is a virtio block device with serial "loam-ctl":
 *   [0, header_bytes)   the header below, the input and output tables,
 *                       argv offsets and a string pool (offsets count from
 *                       byte 0 of the disk)
 *   inputs              each input's bytes at its 512-aligned offset,
 *                       zero-padded to a whole sector
 *   [results_offset, +512 * outputs)   one sector per output, zero until
 *                       the guest commits that output
 * Output k is the virtio block device with serial "loam-out-K" (decimal
 * K); the guest writes its bytes from offset 0, padded to a whole sector,
 * and the host cuts the file to the committed length.
 */
#ifndef LK_PVH_CONTROL_H
#define LK_PVH_CONTROL_H

#include <stdint.h>

#define LOAM_VM_MAGIC "LOAMVM1\n"       /* 8 bytes, no NUL */
#define LOAM_VM_DONE "LOAMDONE"         /* 8 bytes, no NUL */
#define LOAM_VM_CONTROL_ID "loam-ctl"
#define LOAM_VM_OUTPUT_ID "loam-out-"

typedef struct loam_vm_header {
    char magic[8];
    uint32_t argc, inputs, outputs, reserved;
    uint64_t header_bytes;      /* multiple of 512 */
    uint64_t results_offset;    /* multiple of 512 */
    uint64_t argv;              /* offset of uint32_t[argc]: string offsets */
    uint64_t input_table;       /* offset of loam_vm_input[inputs] */
    uint64_t output_table;      /* offset of loam_vm_output[outputs] */
} loam_vm_header;

/* An input path as bound on the command line. */
typedef struct loam_vm_input {
    uint64_t offset, len;       /* where its bytes are on the disk */
    int32_t error;              /* 0, or the errno the host got reading it */
    uint32_t path;              /* string offset */
} loam_vm_input;

/* An output path: `check` is plat_output_check's answer on the host (0,
 * -1 when the path exists, else an errno). Only outputs with check 0 have
 * a disk; tmp_path is the host's temporary file, for messages. */
typedef struct loam_vm_output {
    int32_t check;
    uint32_t path, tmp_path, reserved;
} loam_vm_output;

/* The result sector of a committed output. */
typedef struct loam_vm_result {
    char magic[8];              /* LOAM_VM_DONE */
    uint64_t length;
} loam_vm_result;

#endif
