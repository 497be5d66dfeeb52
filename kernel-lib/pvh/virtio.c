/* virtio.c — a polled driver for virtio block devices on microvm's
 * virtio-mmio transports (virtio 1.x "modern" register layout; `loam run
 * --vm` passes -global virtio-mmio.force-legacy=false). One virtqueue of
 * QUEUE descriptors per device, one request in flight: the driver
 * publishes a three-descriptor chain (header, data, status), notifies, and
 * spins until the device's used index moves. No interrupts.
 */
#include "pvh.h"

enum {
    MMIO_BASE = 0xfeb00000, MMIO_STRIDE = 0x200, MMIO_SLOTS = 24, MAX_DEVICES = 24,
    QUEUE = 8, SECTOR = 512, MAX_TRANSFER = 4 << 20,
};

/* Registers of the virtio-mmio transport (virtio 1.2 §4.2.2). */
enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_DEVICE_FEATURES = 0x010,
    R_DEVICE_FEATURES_SEL = 0x014, R_DRIVER_FEATURES = 0x020, R_DRIVER_FEATURES_SEL = 0x024,
    R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044,
    R_QUEUE_NOTIFY = 0x050, R_INTERRUPT_STATUS = 0x060, R_INTERRUPT_ACK = 0x064, R_STATUS = 0x070,
    R_QUEUE_DESC = 0x080, R_QUEUE_DRIVER = 0x090, R_QUEUE_DEVICE = 0x0a0, R_CONFIG = 0x100,
};
enum { S_ACKNOWLEDGE = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8 };
enum { DESC_NEXT = 1, DESC_WRITE = 2 };
enum { T_IN = 0, T_OUT = 1, T_GET_ID = 8 };

typedef struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
} desc;

/* One page per device: descriptors, available ring, used ring, and the
 * request header and status byte. */
typedef struct queue_page {
    desc d[QUEUE];                                      /* 128 bytes */
    struct { uint16_t flags, idx, ring[QUEUE], event; } avail;
    uint8_t pad0[256 - sizeof(desc[QUEUE]) - sizeof(uint16_t[QUEUE + 3])];
    struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QUEUE]; uint16_t event; } used;
    struct { uint32_t type, reserved; uint64_t sector; } header;
    uint8_t status;
} queue_page;

struct pvh_blk {
    uintptr_t mmio;
    uint64_t capacity;          /* bytes */
    char id[21];                /* serial, NUL-terminated */
    uint16_t last_used;
    queue_page *q;
};

static __attribute__((aligned(4096))) queue_page queues[MAX_DEVICES];
static pvh_blk devices[MAX_DEVICES];
static int device_count;

static uint32_t reg(const pvh_blk *b, uint32_t r) { return pvh_mmio_read(b->mmio + r); }
static void set_reg(const pvh_blk *b, uint32_t r, uint32_t v) { pvh_mmio_write(b->mmio + r, v); }

static void set_addr(const pvh_blk *b, uint32_t r, const void *p)
{
    uint64_t a = (uint64_t)(uintptr_t)p;
    set_reg(b, r, (uint32_t)a);
    set_reg(b, r + 4, (uint32_t)(a >> 32));
}

/* One request: header, then `n` bytes at buf (written by the device when
 * `device_writes`), then the status byte. Returns the virtio status (0 ok). */
static int request(pvh_blk *b, uint32_t type, uint64_t sector, void *buf, uint32_t n, bool device_writes)
{
    queue_page *q = b->q;
    q->header.type = type;
    q->header.reserved = 0;
    q->header.sector = sector;
    q->status = 0xff;
    q->d[0] = (desc){(uint64_t)(uintptr_t)&q->header, sizeof q->header, DESC_NEXT, 1};
    q->d[1] = (desc){(uint64_t)(uintptr_t)buf, n, (uint16_t)(DESC_NEXT | (device_writes ? DESC_WRITE : 0)), 2};
    q->d[2] = (desc){(uint64_t)(uintptr_t)&q->status, 1, DESC_WRITE, 0};
    q->avail.ring[q->avail.idx % QUEUE] = 0;
    pvh_barrier();
    q->avail.idx++;
    pvh_barrier();
    set_reg(b, R_QUEUE_NOTIFY, 0);
    while (*(volatile uint16_t *)&q->used.idx == b->last_used)
        __asm__ volatile("pause" ::: "memory");
    b->last_used++;
    pvh_barrier();
    uint32_t pending = reg(b, R_INTERRUPT_STATUS);
    if (pending)
        set_reg(b, R_INTERRUPT_ACK, pending);
    return *(volatile uint8_t *)&q->status;
}

/* Brings a block device at `mmio` up (virtio 1.2 §3.1.1). */
static bool device_init(pvh_blk *b, queue_page *q)
{
    b->q = q;
    set_reg(b, R_STATUS, 0);
    set_reg(b, R_STATUS, S_ACKNOWLEDGE);
    set_reg(b, R_STATUS, S_ACKNOWLEDGE | S_DRIVER);
    set_reg(b, R_DEVICE_FEATURES_SEL, 1);
    if (!(reg(b, R_DEVICE_FEATURES) & 1))               /* VIRTIO_F_VERSION_1 */
        return false;
    set_reg(b, R_DRIVER_FEATURES_SEL, 0);
    set_reg(b, R_DRIVER_FEATURES, 0);
    set_reg(b, R_DRIVER_FEATURES_SEL, 1);
    set_reg(b, R_DRIVER_FEATURES, 1);
    set_reg(b, R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
    if (!(reg(b, R_STATUS) & S_FEATURES_OK))
        return false;
    set_reg(b, R_QUEUE_SEL, 0);
    if (reg(b, R_QUEUE_NUM_MAX) < QUEUE)
        return false;
    set_reg(b, R_QUEUE_NUM, QUEUE);
    set_addr(b, R_QUEUE_DESC, q->d);
    set_addr(b, R_QUEUE_DRIVER, &q->avail);
    set_addr(b, R_QUEUE_DEVICE, &q->used);
    set_reg(b, R_QUEUE_READY, 1);
    set_reg(b, R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    b->capacity = ((uint64_t)reg(b, R_CONFIG) | (uint64_t)reg(b, R_CONFIG + 4) << 32) * SECTOR;
    static uint8_t id_buf[SECTOR];
    memset(id_buf, 0, sizeof id_buf);
    if (request(b, T_GET_ID, 0, id_buf, 20, true) == 0)
        memcpy(b->id, id_buf, 20);
    return true;
}

int pvh_blk_probe(void)
{
    for (int slot = 0; slot < MMIO_SLOTS && device_count < MAX_DEVICES; slot++) {
        pvh_blk *b = &devices[device_count];
        b->mmio = MMIO_BASE + (uintptr_t)slot * MMIO_STRIDE;
        if (reg(b, R_MAGIC) != 0x74726976 || reg(b, R_VERSION) != 2 || reg(b, R_DEVICE_ID) != 2)
            continue;
        if (device_init(b, &queues[device_count]))
            device_count++;
    }
    return device_count;
}

pvh_blk *pvh_blk_find(const char *id)
{
    for (int i = 0; i < device_count; i++)
        if (lk_streq(devices[i].id, id))
            return &devices[i];
    return NULL;
}

uint64_t pvh_blk_capacity(const pvh_blk *b) { return b->capacity; }

/* Lazy memory (mem.c) is not physically contiguous: the device reads and
 * writes such buffers through this physical one. */
enum { BOUNCE = 1 << 20 };
static uint8_t *bounce;

static int transfer(pvh_blk *b, uint32_t type, uint64_t offset, void *buf, int64_t n)
{
    if (offset % SECTOR || n % SECTOR || n < 0)
        return PVH_EINVAL;
    if (offset > b->capacity || (uint64_t)n > b->capacity - offset)
        return type == T_OUT ? PVH_ENOSPC : PVH_EIO;
    uint8_t *p = buf;
    bool direct = pvh_mem_physical(p) == (uint64_t)(uintptr_t)p &&
                  pvh_mem_physical(p + n - 1) == (uint64_t)(uintptr_t)(p + n - 1);
    if (!direct && !bounce && !(bounce = pvh_phys_map(BOUNCE)))
        return PVH_ENOMEM;
    while (n > 0) {
        uint32_t chunk = n > MAX_TRANSFER ? MAX_TRANSFER : (uint32_t)n;
        if (!direct) {
            if (chunk > BOUNCE)
                chunk = BOUNCE;
            if (type == T_OUT)
                memcpy(bounce, p, chunk);
        }
        if (request(b, type, offset / SECTOR, direct ? p : bounce, chunk, type == T_IN) != 0)
            return PVH_EIO;
        if (!direct && type == T_IN)
            memcpy(p, bounce, chunk);
        p += chunk;
        offset += chunk;
        n -= chunk;
    }
    return 0;
}

int pvh_blk_read(pvh_blk *b, uint64_t offset, void *buf, int64_t n) { return transfer(b, T_IN, offset, buf, n); }

int pvh_blk_write(pvh_blk *b, uint64_t offset, const void *buf, int64_t n)
{
    return transfer(b, T_OUT, offset, (void *)buf, n);
}
