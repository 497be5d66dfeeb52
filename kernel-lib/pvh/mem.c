/* mem.c — the μVM's memory: a page allocator over the RAM of the PVH
 * memory map, and the page tables behind plat_map/plat_unmap/plat_guard
 * (core/kernel.h).
 *
 * Small requests (under LAZY_MIN) get physical memory, identity-mapped.
 * Large ones — task stacks (8 MiB each), arena chunks, big buffers — get
 * *lazy* memory, as a hosted image gets from mmap: a range of virtual
 * addresses above 64 GiB, backed by a zeroed physical page only when first
 * touched (pvh_mem_fault, from the page-fault handler), its pages going
 * back to the allocator when it is unmapped. So a program with thousands
 * of waiting tasks needs RAM for the stack pages they use, not 8 MiB each.
 *
 * Memory is identity-mapped (virtual = physical) with 2 MiB pages by
 * pvh_entry; a 2 MiB page is split into 4 KiB pages only where one of them
 * must be inaccessible (page 0, stack guard pages). Free memory is a list of
 * extents sorted by address, each either *clean* (never used since boot:
 * QEMU gives zeroed RAM, so it needs no clearing, like a fresh anonymous
 * mapping) or *dirty* (given back by plat_unmap: cleared when handed out
 * again). Clean and dirty neighbours are not merged, so freeing a stack
 * never makes the large clean remainder need clearing.
 */
#include "pvh.h"

enum { PAGE = 4096, BIG_PAGE = 2 << 20, MAX_EXTENTS = 16384, MAX_RANGES = 32 };
enum { PTE_PRESENT = 1, PTE_WRITABLE = 2, PTE_BIG = 0x80, PTE_GUARD = 0x200 /* ours, not present */ };
static const uint64_t LIMIT = 4ULL << 30;       /* what pvh_entry mapped */
static const uint64_t LAZY_BASE = 64ULL << 30, LAZY_END = 512ULL << 30;
enum { LAZY_MIN = 1 << 20 };

extern uint64_t pvh_pdpt[512];
extern uint64_t pvh_pd[4 * 512];
extern uint8_t __image_end[];   /* linker/pvh.ld: end of .bss */

typedef struct extent {
    uint64_t start, end;        /* [start, end), page-aligned */
    bool dirty;
    struct extent *next;
} extent;

static extent pool[MAX_EXTENTS];
static extent *free_nodes;      /* unused entries of pool */
static extent *free_list;       /* physical pages, sorted by start */
static extent *lazy_list;       /* free lazy addresses, sorted by start */
static struct {
    uint64_t start, end;
} ranges[MAX_RANGES];
static int range_count;

void pvh_mem_add(uint64_t addr, uint64_t size)
{
    if (range_count < MAX_RANGES) {
        ranges[range_count].start = addr;
        ranges[range_count].end = addr + size;
        range_count++;
    }
}

static extent *node(void)
{
    extent *e = free_nodes;
    if (e)
        free_nodes = e->next;
    return e;
}

/* Inserts [start, end) in address order, merging with neighbours of the
 * same cleanliness. Returns false when no node is left (the pages leak). */
static bool insert(extent **list, uint64_t start, uint64_t end, bool dirty)
{
    extent **link = list, *prev = NULL;
    while (*link && (*link)->start < start) {
        prev = *link;
        link = &(*link)->next;
    }
    extent *next = *link;
    if (prev && prev->end == start && prev->dirty == dirty) {
        prev->end = end;
        if (next && next->start == end && next->dirty == dirty) {
            prev->end = next->end;
            prev->next = next->next;
            next->next = free_nodes;
            free_nodes = next;
        }
        return true;
    }
    if (next && next->start == end && next->dirty == dirty) {
        next->start = start;
        return true;
    }
    extent *e = node();
    if (!e)
        return false;
    *e = (extent){start, end, dirty, next};
    *link = e;
    return true;
}

/* The page-table entry of the 4 KiB page at addr, splitting its 2 MiB page
 * first. NULL when no page is left for the table. */
static uint64_t *page_entry(uint64_t addr)
{
    uint64_t *pde = &pvh_pd[addr / BIG_PAGE];
    if (*pde & PTE_BIG) {
        uint64_t *table = NULL;
        /* A page table: take the first page of the first extent. */
        for (extent **link = &free_list; *link; link = &(*link)->next) {
            extent *e = *link;
            table = (uint64_t *)(uintptr_t)e->start;
            e->start += PAGE;
            if (e->start == e->end) {
                *link = e->next;
                e->next = free_nodes;
                free_nodes = e;
            }
            break;
        }
        if (!table)
            return NULL;
        uint64_t base = addr & ~(uint64_t)(BIG_PAGE - 1);
        for (int i = 0; i < 512; i++)
            table[i] = (base + (uint64_t)i * PAGE) | PTE_PRESENT | PTE_WRITABLE;
        *pde = (uint64_t)(uintptr_t)table | PTE_PRESENT | PTE_WRITABLE;
        __asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
    }
    uint64_t *table = (uint64_t *)(uintptr_t)(*pde & ~(uint64_t)0xfff);
    return &table[(addr / PAGE) % 512];
}

static void set_present(uint64_t addr, bool present)
{
    uint64_t *pte = page_entry(addr);
    if (!pte)
        return;
    if (present)
        *pte |= PTE_PRESENT;
    else
        *pte &= ~(uint64_t)PTE_PRESENT;
    __asm__ volatile("invlpg (%0)" ::"r"(addr) : "memory");
}

void pvh_mem_init(void)
{
    for (int i = MAX_EXTENTS - 1; i >= 0; i--) {
        pool[i].next = free_nodes;
        free_nodes = &pool[i];
    }
    uint64_t low = ((uint64_t)(uintptr_t)__image_end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    for (int i = 0; i < range_count; i++) {
        uint64_t start = (ranges[i].start + PAGE - 1) & ~(uint64_t)(PAGE - 1);
        uint64_t end = ranges[i].end & ~(uint64_t)(PAGE - 1);
        if (start < low)
            start = low;        /* below: the image, firmware, start info */
        if (end > LIMIT)
            end = LIMIT;
        if (start < end)
            insert(&free_list, start, end, false);
    }
    insert(&lazy_list, LAZY_BASE, LAZY_END, false);
    set_present(0, false);      /* a null pointer faults */
}

int64_t pvh_mem_free_bytes(void)
{
    int64_t n = 0;
    for (extent *e = free_list; e; e = e->next)
        n += (int64_t)(e->end - e->start);
    return n;
}

void *pvh_phys_map(int64_t bytes)
{
    if (bytes <= 0 || bytes > (int64_t)LIMIT)
        return NULL;
    uint64_t size = ((uint64_t)bytes + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    /* First fit, clean extents first: they need no clearing. */
    for (int pass = 0; pass < 2; pass++) {
        for (extent **link = &free_list; *link; link = &(*link)->next) {
            extent *e = *link;
            if (e->dirty != (pass == 1) || e->end - e->start < size)
                continue;
            uint64_t p = e->start;
            e->start += size;
            if (e->start == e->end) {
                *link = e->next;
                e->next = free_nodes;
                free_nodes = e;
            }
            if (pass == 1)
                memset((void *)(uintptr_t)p, 0, size);
            return (void *)(uintptr_t)p;
        }
    }
    return NULL;
}

static void phys_unmap(void *p, int64_t bytes)
{
    uint64_t start = (uint64_t)(uintptr_t)p;
    uint64_t end = start + (((uint64_t)bytes + PAGE - 1) & ~(uint64_t)(PAGE - 1));
    /* Guard pages become ordinary memory again. */
    for (uint64_t a = start; a < end; a += PAGE) {
        if (!(pvh_pd[a / BIG_PAGE] & PTE_BIG))
            set_present(a, true);
        else
            a = (a | (BIG_PAGE - 1)) + 1 - PAGE;       /* skip the rest of a big page */
    }
    insert(&free_list, start, end, true);
}

static int phys_guard(void *p, int64_t bytes)
{
    uint64_t start = (uint64_t)(uintptr_t)p;
    for (uint64_t a = start; a < start + (uint64_t)bytes; a += PAGE) {
        if (!page_entry(a))
            return PVH_ENOMEM;
        set_present(a, false);
    }
    return 0;
}

/* ---- lazy memory ---- */

static bool is_lazy(uint64_t addr) { return addr >= LAZY_BASE && addr < LAZY_END; }

/* A zeroed page for a page table; 0 when none is left. */
static uint64_t table_page(void)
{
    return (uint64_t)(uintptr_t)pvh_phys_map(PAGE);
}

/* The page-table entry of the lazy address addr, creating the page
 * directory and page table on the way when `create`; NULL if absent. */
static uint64_t *lazy_entry(uint64_t addr, bool create)
{
    uint64_t *pdpte = &pvh_pdpt[addr >> 30];
    if (!(*pdpte & PTE_PRESENT)) {
        uint64_t t = create ? table_page() : 0;
        if (!t)
            return NULL;
        *pdpte = t | PTE_PRESENT | PTE_WRITABLE;
    }
    uint64_t *pd = (uint64_t *)(uintptr_t)(*pdpte & ~(uint64_t)0xfff);
    uint64_t *pde = &pd[(addr >> 21) & 511];
    if (!(*pde & PTE_PRESENT)) {
        uint64_t t = create ? table_page() : 0;
        if (!t)
            return NULL;
        *pde = t | PTE_PRESENT | PTE_WRITABLE;
    }
    uint64_t *pt = (uint64_t *)(uintptr_t)(*pde & ~(uint64_t)0xfff);
    return &pt[(addr >> 12) & 511];
}

/* Whether [addr, addr + 1) is inside a free lazy extent. */
static bool lazy_free(uint64_t addr)
{
    for (extent *e = lazy_list; e && e->start <= addr; e = e->next)
        if (addr < e->end)
            return true;
    return false;
}

bool pvh_mem_fault(uint64_t addr)
{
    if (!is_lazy(addr) || lazy_free(addr))
        return false;
    uint64_t *pte = lazy_entry(addr, true);
    if (!pte || (*pte & (PTE_PRESENT | PTE_GUARD)))
        return false;           /* out of memory, or a guard page */
    void *page = pvh_phys_map(PAGE);
    if (!page)
        return false;
    *pte = (uint64_t)(uintptr_t)page | PTE_PRESENT | PTE_WRITABLE;
    return true;
}

bool pvh_mem_out_of_pages(uint64_t addr)
{
    return is_lazy(addr) && !lazy_free(addr) && pvh_mem_free_bytes() < 3 * PAGE;
}

uint64_t pvh_mem_physical(const void *p)
{
    uint64_t addr = (uint64_t)(uintptr_t)p;
    if (!is_lazy(addr))
        return addr;
    uint64_t *pte = lazy_entry(addr, false);
    if (!pte || !(*pte & PTE_PRESENT))
        return 0;
    return (*pte & ~(uint64_t)0xfff) | (addr & 0xfff);
}

void *plat_map(int64_t bytes)
{
    if (bytes < LAZY_MIN)
        return pvh_phys_map(bytes);
    if ((uint64_t)bytes > LAZY_END - LAZY_BASE)
        return NULL;
    uint64_t size = ((uint64_t)bytes + PAGE - 1) & ~(uint64_t)(PAGE - 1);
    for (extent **link = &lazy_list; *link; link = &(*link)->next) {
        extent *e = *link;
        if (e->end - e->start < size)
            continue;
        uint64_t p = e->start;
        e->start += size;
        if (e->start == e->end) {
            *link = e->next;
            e->next = free_nodes;
            free_nodes = e;
        }
        return (void *)(uintptr_t)p;
    }
    return NULL;
}

void plat_unmap(void *p, int64_t bytes)
{
    uint64_t start = (uint64_t)(uintptr_t)p;
    if (!is_lazy(start)) {
        phys_unmap(p, bytes);
        return;
    }
    uint64_t end = start + (((uint64_t)bytes + PAGE - 1) & ~(uint64_t)(PAGE - 1));
    for (uint64_t a = start; a < end; a += PAGE) {
        uint64_t *pte = lazy_entry(a, false);
        if (!pte) {
            a = (a | (BIG_PAGE - 1)) + 1 - PAGE;       /* no table: nothing here */
            continue;
        }
        if (*pte & PTE_PRESENT)
            insert(&free_list, *pte & ~(uint64_t)0xfff, (*pte & ~(uint64_t)0xfff) + PAGE, true);
        *pte = 0;
    }
    __asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
    insert(&lazy_list, start, end, false);
}

/* One guest, one core: nobody else wants the memory back sooner. */
void plat_discard(void *p, int64_t bytes) { (void)p, (void)bytes; }

int plat_guard(void *p, int64_t bytes)
{
    uint64_t start = (uint64_t)(uintptr_t)p;
    if (!is_lazy(start))
        return phys_guard(p, bytes);
    for (uint64_t a = start; a < start + (uint64_t)bytes; a += PAGE) {
        uint64_t *pte = lazy_entry(a, true);
        if (!pte)
            return PVH_ENOMEM;
        if (*pte & PTE_PRESENT) {
            insert(&free_list, *pte & ~(uint64_t)0xfff, (*pte & ~(uint64_t)0xfff) + PAGE, true);
            __asm__ volatile("invlpg (%0)" ::"r"(a) : "memory");
        }
        *pte = PTE_GUARD;
    }
    return 0;
}
