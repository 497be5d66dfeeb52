/* start.c — the hosted image's entry point. Linux starts _start with
 * argc, argv[], NULL, envp[], NULL, auxv[] on the stack and no libc to
 * set anything up; we hash the loaded segments (the image's identity),
 * build the static TLS block from the image's PT_TLS
 * segment (the compiler reaches __loam_budget as an initial-exec thread
 * local, which a static link resolves to a fixed %fs offset), point %fs at
 * it, and hand over to the portable kernel (core/main.c).
 *
 * After: %fs is the thread pointer of x86-64 TLS variant II — the TLS
 * image sits just below it and %fs:0 holds its own address.
 */
#include "../core/kernel.h"
#include "sys.h"

/* _start: align the stack as the SysV ABI wants for a call, pass the
 * initial stack pointer, never return. %rbp = 0 ends frame-pointer walks. */
__asm__(".text\n"
        ".globl _start\n"
        ".type _start, @function\n"
        "_start:\n"
        "    xor %ebp, %ebp\n"
        "    mov %rsp, %rdi\n"
        "    and $-16, %rsp\n"
        "    call lk_hosted_start\n"
        "    ud2\n"
        ".size _start, . - _start\n");

/* The parts of the ELF program header and auxiliary vector we read. */
typedef struct elf_phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} elf_phdr;

enum { PT_LOAD = 1, PT_PHDR = 6, PT_TLS = 7, AT_PHDR = 3, AT_PHNUM = 5 };
enum { TCB_SIZE = 64 };         /* %fs:0 self pointer; rest reserved */

/* The TLS segment, as found at start-up: every thread's block is a copy. */
static uint64_t tls_align = 1, tls_memsz, tls_filesz, tls_vaddr;
static uintptr_t load_bias;             /* 0 for our non-PIE images */
static uint8_t image_id[32];

/* A new static TLS block; returns its thread pointer (0: no memory). */
uintptr_t lk_hosted_tls_new(void)
{
    /* The linker placed each variable at tp - offset, where offset counts
     * from the end of the TLS image rounded so that the block start is
     * congruent to p_vaddr modulo p_align (as ld.lld and musl compute it). */
    uint64_t tls_off = tls_memsz + ((-tls_vaddr - tls_memsz) & (tls_align - 1));
    uint64_t tp_align = tls_align < 64 ? 64 : tls_align;
    int64_t size = (int64_t)(tls_off + tp_align + TCB_SIZE);
    uint8_t *block = plat_map(size);
    if (!block)
        return 0;
    uintptr_t tp = ((uintptr_t)block + tls_off + tp_align - 1) & ~(uintptr_t)(tp_align - 1);
    memcpy((void *)(tp - tls_off), (const void *)(tls_vaddr + load_bias), tls_filesz);
    *(uintptr_t *)tp = tp;      /* %fs:0 points to itself (TLS ABI) */
    return tp;
}

/* Finds PT_TLS, hashes the loaded segments (the image's identity: the
 * bytes the file holds for them, read before anything writes to .data),
 * builds the main thread's TLS block. MUST run before any TLS access. */
static void tls_init(const elf_phdr *ph, uint64_t phnum)
{
    for (uint64_t i = 0; ph && i < phnum; i++)
        if (ph[i].p_type == PT_PHDR)
            load_bias = (uintptr_t)ph - ph[i].p_vaddr;
    lk_hash h;
    lk_hash_init(&h);
    for (uint64_t i = 0; ph && i < phnum; i++) {
        if (ph[i].p_type == PT_TLS) {
            tls_align = ph[i].p_align ? ph[i].p_align : 1;
            tls_memsz = ph[i].p_memsz;
            tls_filesz = ph[i].p_filesz;
            tls_vaddr = ph[i].p_vaddr;
        }
        if (ph[i].p_type == PT_LOAD)
            lk_hash_add(&h, (const void *)(ph[i].p_vaddr + load_bias), (int64_t)ph[i].p_filesz);
    }
    lk_hash_end(&h, image_id);
    uintptr_t tp = lk_hosted_tls_new();
    if (!tp) {
        plat_write(LK_STDERR, "loam: error: no memory for thread-local storage\n", 48);
        plat_exit(LK_EXIT_IO);
    }
    if (sys_arch_prctl(LX_ARCH_SET_FS, tp) < 0) {
        plat_write(LK_STDERR, "loam: error: cannot set up thread-local storage\n", 48);
        plat_exit(LK_EXIT_IO);
    }
}

void plat_image_id(uint8_t out[32]) { memcpy(out, image_id, 32); }

/* Called by _start with the initial stack pointer. */
_Noreturn void lk_hosted_start(uint64_t *sp);
_Noreturn void lk_hosted_start(uint64_t *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    while (*envp)
        envp++;
    const elf_phdr *phdr = NULL;
    uint64_t phnum = 0;
    for (uint64_t *aux = (uint64_t *)(envp + 1); aux[0]; aux += 2) {
        if (aux[0] == AT_PHDR)
            phdr = (const elf_phdr *)aux[1];
        else if (aux[0] == AT_PHNUM)
            phnum = aux[1];
    }
    tls_init(phdr, phnum);
    lk_hosted_signals_init();
    uint8_t termios[64];        /* TCGETS succeeds only on a terminal */
    lk_stderr_tty = sys_call3(SYS_ioctl, LK_STDERR, 0x5401, (long)termios) == 0;
    lk_main(argc, argv);
}
