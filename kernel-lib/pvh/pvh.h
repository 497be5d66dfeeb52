/* pvh.h — what the files of the μVM target (kernel-lib/pvh/) share and
 * nobody else sees: port I/O, the physical page allocator, the exception
 * vectors, the virtio-mmio block driver, and the start-up order.
 *
 * The machine is QEMU's microvm booted through PVH (spec/kernel.md, μVM
 * section): one CPU in 64-bit long mode, paging with the first 4 GiB
 * identity-mapped, interrupts never enabled (every device is polled), so
 * nothing but a CPU exception ever interrupts the running code, and an
 * exception never returns.
 */
#ifndef LK_PVH_H
#define LK_PVH_H

#include "../core/kernel.h"

/* ---- port and MMIO access ---- */

static inline void pvh_outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void pvh_outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t pvh_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t pvh_mmio_read(uintptr_t addr) { return *(volatile uint32_t *)addr; }
static inline void pvh_mmio_write(uintptr_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline void pvh_barrier(void) { __asm__ volatile("mfence" ::: "memory"); }

/* ---- console (platform.c) ---- */

/* Writes bytes to COM1 (stream LK_STDOUT) or COM2 (LK_STDERR), polling the
 * transmitter; usable from the first instruction of C on. */
void pvh_serial_write(int stream, const void *p, int64_t n);
/* Ends the μVM through isa-debug-exit with `status` (0..126); QEMU then
 * exits with status 2 * status + 3 (spec/kernel.md, μVM exit statuses). */
_Noreturn void pvh_exit(int status);

/* ---- physical memory (mem.c) ---- */

/* MUST: called once, before any plat_map, with the RAM ranges of the
 * start info. Pages from the end of the image up to 4 GiB become free;
 * page 0 is unmapped so that a null pointer faults. */
void pvh_mem_add(uint64_t addr, uint64_t size);
void pvh_mem_init(void);
/* Bytes of RAM still free (for messages). */
int64_t pvh_mem_free_bytes(void);
/* Physical, identity-mapped, zeroed memory (plat_map gives lazy memory for
 * large requests): for what devices read or write. NULL when none. */
void *pvh_phys_map(int64_t bytes);
/* Called on a page fault at addr: backs a touched page of lazy memory with
 * a zeroed physical page and returns true (the access is then retried);
 * false for anything else (a guard page, a free or non-lazy address, no
 * memory left). */
bool pvh_mem_fault(uint64_t addr);
/* Whether a fault at addr was refused only for lack of physical pages. */
bool pvh_mem_out_of_pages(uint64_t addr);
/* The physical address of p (identity below 4 GiB); 0 for a lazy page not
 * backed yet. */
uint64_t pvh_mem_physical(const void *p);

/* ---- exceptions (trap.c) ---- */

/* Loads the GDT with a TSS (exceptions run on their own stack) and an IDT
 * whose 32 CPU exception vectors panic with vector, RIP and CR2. */
void pvh_traps_init(void);

/* ---- virtio-mmio block devices (virtio.c) ---- */

typedef struct pvh_blk pvh_blk;
/* Finds the virtio block devices on microvm's virtio-mmio transports and
 * sets each up with one polled queue. Returns how many were found. */
int pvh_blk_probe(void);
/* The device whose serial (virtio-blk GET_ID) is `id`, or NULL. */
pvh_blk *pvh_blk_find(const char *id);
/* Capacity in bytes (a multiple of 512). */
uint64_t pvh_blk_capacity(const pvh_blk *b);
/* MUST: offset and n multiples of 512, buf physically contiguous (any
 * kernel memory is). Synchronous; returns 0 or an error code
 * (LX-style: 5 = I/O error, 28 = no space left on device). */
int pvh_blk_read(pvh_blk *b, uint64_t offset, void *buf, int64_t n);
int pvh_blk_write(pvh_blk *b, uint64_t offset, const void *buf, int64_t n);

/* ---- the DOs of the μVM (platform.c) ---- */

/* Reads the control disk (arguments, inputs, outputs) prepared by
 * `loam run --vm`; sets argc/argv for lk_main. Exits with status 1 and a
 * message when there is none. */
void pvh_control_init(int *argc, char ***argv);

/* Error codes shared with the host (Linux errno numbers, so that messages
 * match the hosted target's). */
enum {
    PVH_ENOENT = 2, PVH_EIO = 5, PVH_ENOMEM = 12, PVH_EACCES = 13, PVH_EEXIST = 17,
    PVH_ENOTDIR = 20, PVH_EISDIR = 21, PVH_EINVAL = 22, PVH_EFBIG = 27, PVH_ENOSPC = 28,
};

#endif
