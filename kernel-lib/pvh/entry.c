/* entry.c — how a μVM image starts (spec/kernel.md, μVM §2).
 *
 * QEMU reads the Xen PVH note below, loads the image's segments at their
 * physical addresses (1 MiB up) and jumps to pvh_entry in 32-bit protected
 * mode, paging off, %ebx pointing to the hvm_start_info structure. pvh_entry
 * identity-maps the first 4 GiB with 2 MiB pages, enables PAE, SSE and long
 * mode, and calls lk_pvh_start on the boot stack. lk_pvh_start installs the
 * exception vectors, hands the RAM of the memory map to the page allocator,
 * builds the static TLS block (the compiler reaches __loam_budget through
 * %fs), finds the virtio disks and calls the portable kernel's lk_main with
 * the arguments of the control disk.
 */
#include "pvh.h"

/* The PVH note (Xen's XEN_ELFNOTE_PHYS32_ENTRY, type 18, name "Xen"): the
 * 32-bit physical address of the entry point. QEMU reads the descriptor as
 * a machine word, so it is 8 bytes. */
__asm__(".pushsection .note.Xen, \"a\", @note\n"
        ".balign 4\n"
        ".long 4, 8, 18\n"
        ".asciz \"Xen\"\n"
        ".quad pvh_entry\n"
        ".popsection\n");

enum { BOOT_STACK = 64 << 10 };

/* Page tables of the boot identity map and the boot stack; zero-filled by
 * the loader (.bss). mem.c splits 2 MiB pages of `pvh_pd` when it needs
 * 4 KiB granularity (guard pages, page 0). */
__attribute__((aligned(4096))) uint64_t pvh_pml4[512];
__attribute__((aligned(4096))) uint64_t pvh_pdpt[512];
__attribute__((aligned(4096))) uint64_t pvh_pd[4 * 512];
__attribute__((aligned(16))) uint8_t pvh_boot_stack[BOOT_STACK];
/* Time stamp counter at pvh_entry and when lk_main is called (for
 * bench/muvm: entry to the task's first instruction, and where it goes). */
uint64_t pvh_entry_tsc, pvh_main_tsc;

/* GDT: null, 64-bit code (0x08), data (0x10), the TSS (0x18, two slots,
 * filled by trap.c). The pointer is 10 bytes so that both the 32-bit and
 * the 64-bit lgdt can read it. */
__attribute__((aligned(16))) uint64_t pvh_gdt[5] = {
    0, 0x00af9a000000ffffULL, 0x00cf92000000ffffULL, 0, 0,
};
struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
} pvh_gdt_pointer = {sizeof pvh_gdt - 1, (uint64_t)(uintptr_t)pvh_gdt};

__asm__(".pushsection .text.pvh_entry, \"ax\"\n"
        ".code32\n"
        ".globl pvh_entry\n"
        ".type pvh_entry, @function\n"
        "pvh_entry:\n"
        "    cli\n"
        "    cld\n"
        "    mov %ebx, %esi\n"                       /* start info, kept in esi */
        "    rdtsc\n"
        "    mov %eax, pvh_entry_tsc\n"
        "    mov %edx, pvh_entry_tsc+4\n"
        "    mov $pvh_boot_stack + 65536, %esp\n"
        /* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories */
        "    movl $pvh_pdpt + 3, pvh_pml4\n"
        "    movl $pvh_pd + 0x0003, pvh_pdpt\n"
        "    movl $pvh_pd + 0x1003, pvh_pdpt + 8\n"
        "    movl $pvh_pd + 0x2003, pvh_pdpt + 16\n"
        "    movl $pvh_pd + 0x3003, pvh_pdpt + 24\n"
        /* PD[j] = j * 2 MiB | present | writable | 2 MiB page, j < 2048 */
        "    xor %ecx, %ecx\n"
        "1:  mov %ecx, %eax\n"
        "    shl $21, %eax\n"
        "    or $0x83, %eax\n"
        "    mov %eax, pvh_pd(,%ecx,8)\n"
        "    inc %ecx\n"
        "    cmp $2048, %ecx\n"
        "    jne 1b\n"
        /* CR4: PAE | OSFXSR | OSXMMEXCPT (SSE for generated code) */
        "    mov %cr4, %eax\n"
        "    or $0x620, %eax\n"
        "    mov %eax, %cr4\n"
        "    mov $pvh_pml4, %eax\n"
        "    mov %eax, %cr3\n"
        /* EFER.LME */
        "    mov $0xc0000080, %ecx\n"
        "    rdmsr\n"
        "    or $0x100, %eax\n"
        "    wrmsr\n"
        /* CR0: PG | NE | MP | PE, EM and TS clear */
        "    mov %cr0, %eax\n"
        "    and $0xfffffff3, %eax\n"
        "    or $0x80000023, %eax\n"
        "    mov %eax, %cr0\n"
        "    lgdt pvh_gdt_pointer\n"
        "    ljmp $0x08, $2f\n"
        ".code64\n"
        "2:  mov $0x10, %eax\n"
        "    mov %eax, %ds\n"
        "    mov %eax, %es\n"
        "    mov %eax, %ss\n"
        "    xor %eax, %eax\n"
        "    mov %eax, %fs\n"
        "    mov %eax, %gs\n"
        "    lea pvh_boot_stack + 65536(%rip), %rsp\n"
        "    xor %ebp, %ebp\n"
        "    mov %esi, %edi\n"                       /* zero-extends */
        "    fninit\n"
        "    call lk_pvh_start\n"
        "    ud2\n"
        ".size pvh_entry, . - pvh_entry\n"
        ".popsection\n");

/* The start info of the PVH boot protocol (version 1 adds the memory
 * map), as Xen's arch-x86/hvm/start_info.h lays it out. */
struct hvm_start_info {
    uint32_t magic;             /* 0x336ec578 */
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;    /* type 1: RAM */
};

/* ELF program headers, found through __ehdr_start (the linker script keeps
 * the headers in the first loaded segment). */
typedef struct elf_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} elf_ehdr;

typedef struct elf_phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} elf_phdr;

extern const elf_ehdr __ehdr_start;

enum { PT_LOAD = 1, PT_TLS = 7, TCB_SIZE = 64, MSR_FS_BASE = 0xc0000100 };

static const elf_phdr *program_headers(void)
{
    return (const elf_phdr *)((const uint8_t *)&__ehdr_start + __ehdr_start.phoff);
}

/* The image's identity (core/kernel.h): SHA-256 of its loaded segments as
 * the file holds them. Taken first thing, before anything writes .data. */
static uint8_t image_id[32];

static void image_id_init(void)
{
    const elf_phdr *ph = program_headers();
    lk_hash h;
    lk_hash_init(&h);
    for (int i = 0; i < __ehdr_start.phnum; i++)
        if (ph[i].p_type == PT_LOAD)
            lk_hash_add(&h, (const void *)ph[i].p_vaddr, (int64_t)ph[i].p_filesz);
    lk_hash_end(&h, image_id);
}

void plat_image_id(uint8_t out[32]) { memcpy(out, image_id, 32); }

static _Noreturn void boot_failure(const char *what)
{
    static const char prefix[] = "loam: error: the μVM cannot start: ";
    pvh_serial_write(LK_STDERR, prefix, sizeof prefix - 1);
    pvh_serial_write(LK_STDERR, what, lk_strlen(what));
    pvh_serial_write(LK_STDERR, "\n", 1);
    pvh_exit(LK_EXIT_IO);
}

/* The static TLS block of x86-64 variant II, as the hosted start-up builds
 * it (spec/kernel.md §2): the TLS image just below the thread pointer, at
 * the offset ld.lld assumed, %fs:0 holding its own address. */
static void tls_init(void)
{
    const elf_phdr *ph = program_headers();
    const elf_phdr *tls = NULL;
    for (int i = 0; i < __ehdr_start.phnum; i++)
        if (ph[i].p_type == PT_TLS)
            tls = &ph[i];
    uint64_t align = 1, memsz = 0, filesz = 0, vaddr = 0;
    if (tls) {
        align = tls->p_align ? tls->p_align : 1;
        memsz = tls->p_memsz;
        filesz = tls->p_filesz;
        vaddr = tls->p_vaddr;
    }
    uint64_t tls_off = memsz + ((-vaddr - memsz) & (align - 1));
    uint64_t tp_align = align < 64 ? 64 : align;
    uint8_t *block = plat_map((int64_t)(tls_off + tp_align + TCB_SIZE));
    if (!block)
        boot_failure("no memory for thread-local storage");
    uintptr_t tp = ((uintptr_t)block + tls_off + tp_align - 1) & ~(uintptr_t)(tp_align - 1);
    memcpy((void *)(tp - tls_off), (const void *)vaddr, filesz);
    *(uintptr_t *)tp = tp;
    __asm__ volatile("wrmsr" ::"c"(MSR_FS_BASE), "a"((uint32_t)tp), "d"((uint32_t)(tp >> 32)));
}

_Noreturn void lk_pvh_start(const struct hvm_start_info *si);
_Noreturn void lk_pvh_start(const struct hvm_start_info *si)
{
    image_id_init();
    pvh_traps_init();
    if (si->magic != 0x336ec578 || si->version < 1 || !si->memmap_paddr)
        boot_failure("the PVH start info has no memory map (QEMU 4.0 or later needed)");
    const struct hvm_memmap_entry *map = (const void *)(uintptr_t)si->memmap_paddr;
    for (uint32_t i = 0; i < si->memmap_entries; i++)
        if (map[i].type == 1)
            pvh_mem_add(map[i].addr, map[i].size);
    pvh_mem_init();
    tls_init();
    pvh_blk_probe();
    int argc;
    char **argv;
    pvh_control_init(&argc, &argv);
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    pvh_main_tsc = (uint64_t)hi << 32 | lo;
    lk_main(argc, argv);
}
