/* vm.h - the VM server's internals: its one state struct and every cross-file
 * prototype, grouped by the file that implements it.  No libc: vm/ builds hosted
 * and freestanding for i686 from the same sources. */
#ifndef VMFUZZ_VM_H
#define VMFUZZ_VM_H

#include <stdint.h>
#include <stddef.h>
#include "ipc.h"
#include "layout.h"
#include "bootinfo.h"
#include "boot_table.h"
#include "fault_sites.h"
#include "seam.h"
#include "vm_vfs.h"

/* ---- Build switches and small helpers ---- */
/* The fault-point predicate: the only build switch inside vm/. */
#ifdef VM_FAULT_POINTS
#define FAULT_POINT(site) seam_fault(FS_##site)
#else
#define FAULT_POINT(site) 0
#endif

#define vm_memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define vm_memset(d, c, n) __builtin_memset((d), (c), (n))
#define vm_memcmp(a, b, n) __builtin_memcmp((a), (b), (n))

#define PANIC(why) seam_panic(__FILE__, __LINE__, (why))
/* An internal invariant; never used on message content. */
#define VM_ASSERT(c) do { if (!(c)) PANIC("assertion failed: " #c); } while (0)

/* Overflow-checked 32-bit address arithmetic: true when a + b wraps. */
static inline int add_wraps(uint32_t a, uint32_t b, uint32_t *sum)
{
	return __builtin_add_overflow(a, b, sum);
}
static inline int page_aligned(uint32_t v) { return (v & PAGE_MASK) == 0; }
/* Round up to a page; true when that wraps past 4 GiB. */
static inline int page_roundup(uint32_t v, uint32_t *out)
{
	if (add_wraps(v, PAGE_MASK, out))
		return 1;
	*out &= ~PAGE_MASK;
	return 0;
}

#define FREE_PATTERN 0xDEu /* every freed page and slab object is filled with it */
#define PHYS_NONE 0xFFFFFFFFu

/* Sanity levels. */
#define SCL_NONE      0
#define SCL_TOP       1
#define SCL_FUNCTIONS 2
#define SCL_DETAIL    3

/* ---- alloc.c: the physical page allocator ---- */
struct alloc_state {
	uint32_t free_bits[PHYS_MAX_PAGES / 32];    /* 1 = page free */
	uint32_t managed_bits[PHYS_MAX_PAGES / 32]; /* 1 = page belongs to VM's pool */
	uint32_t nfree, nmanaged;
	uint32_t hint;                               /* first-fit start (page number) */
	uint32_t words; /* bitmap words up to the last managed page (the rest stay zero) */
};
#define MEMF_CLEAR     0x1 /* zero the pages */
#define MEMF_LOWER16M  0x2 /* below 16 MiB */
#define MEMF_LOWER1M   0x4 /* below 1 MiB */
#define MEMF_ALIGN64K  0x8 /* 64 KiB aligned */
/* Take every range of bi->mem into the pool as free pages. */
void mem_init(const struct boot_info *bi);
/* Mark [phys, phys+npages pages) used (boot segments VM adopts).  VM_EINVAL if any
 * page is outside the pool or already used. */
int mem_reserve(uint32_t phys, uint32_t npages);
/* npages physically contiguous pages, or PHYS_NONE.  No fault point: callers mark
 * their own site (page_alloc, pt_page, ...). */
uint32_t mem_alloc(uint32_t npages, uint32_t flags);
/* Return pages to the pool; they are filled with FREE_PATTERN and poisoned. */
void mem_free(uint32_t phys, uint32_t npages);
uint32_t mem_free_count(void);
uint32_t mem_managed_count(void);
/* mem_page_is_free, mem_page_is_managed: inline, after struct vm_state (below). */
uint32_t mem_largest_free_run(void);

/* ---- slab.c: small objects on VM's own pages ---- */
#define SLAB_GRANULE 8
#define SLAB_MAX     2048 /* larger requests are refused (NULL) */
#define SLAB_CLASSES (SLAB_MAX / SLAB_GRANULE)
#define SLAB_MARKS   64 /* pages the incremental check tracks; more: every class is walked */
#define SLAB_SEEN    32 /* slab pages whose header slab_is_live remembers during a check */
struct slab_page;
/* A slab page changed since the last check, and what that check counted of it. */
struct slab_mark {
	uint32_t phys;
	uint16_t cls, nused; /* its class and use count when first marked */
	uint8_t was_live;    /* it was a slab page then */
	uint8_t live;        /* it is one now */
};
struct slab_state {
	struct slab_page *head[SLAB_CLASSES]; /* per size class, pages with objects */
	uint32_t live_objects;
	uint32_t pages;
	uint32_t dirty[SLAB_CLASSES / 32];     /* classes to walk whole at the next check
						* (what changed while marks were off) */
	uint32_t checked_pages[SLAB_CLASSES];  /* what the last check counted */
	uint32_t checked_live[SLAB_CLASSES];
	uint32_t checked_pages_sum, checked_live_sum; /* their totals, kept with them */
	struct { const void *hdr; uint32_t epoch; } seen[SLAB_SEEN]; /* headers a check validated */
	struct slab_mark marks[SLAB_MARKS];    /* pages changed since the last check */
	uint32_t nmarks;
};
/* A zeroed object of bytes (1..SLAB_MAX), or NULL.  Fault site slab_alloc. */
void *slab_alloc(uint32_t bytes);
/* Free an object from slab_alloc(bytes); it is filled with FREE_PATTERN and poisoned.
 * Freeing anything else is an internal invariant failure (panic). */
void slab_free(void *p, uint32_t bytes);
/* True when p is a live object of that size class. */
int slab_is_live(const void *p, uint32_t bytes);
uint32_t slab_live_objects(void);
/* Check every slab page's header, links and use counts; call fn for each slab page.
 * Returns 0 or a SAN_* invariant id. */
int slab_check(void (*fn)(uint32_t phys, void *arg), void *arg);
/* The same for the pages that changed since the last check (header, counts, both
 * links, the class head; fn for each); the others count what that check counted, and
 * their pages are added to *unvisited instead of being passed to fn.  The totals are
 * checked in full. */
int slab_check_incremental(void (*fn)(uint32_t phys, void *arg), void *arg, uint32_t *unvisited);
/* Every class is to be checked again (after boot). */
void slab_all_changed(void);

/* ---- pagetable.c: i386 two-level page tables written through phys_ptr ---- */
struct pt {
	uint32_t dir_phys; /* PHYS_NONE when the process has no directory */
};
/* Allocate a cleared directory holding the kernel's supervisor PDEs.  Fault site
 * pt_new; VM_ENOMEM on failure. */
int pt_new(struct pt *pt);
/* Free every page-table page and the directory; pt->dir_phys becomes PHYS_NONE. */
void pt_free(struct pt *pt);
/* Install the directory for ep (kc_addrspace). */
int pt_bind(struct pt *pt, endpoint_t ep);
/* Map npages consecutive pages vaddr -> phys with PTE flags (PTE_P is implied); with
 * phys == PHYS_NONE clear them.  Missing page tables are allocated first (fault site
 * pt_page): on VM_ENOMEM no entry has been written (tables already allocated stay). */
int pt_write(struct pt *pt, uint32_t vaddr, uint32_t phys, uint32_t npages, uint32_t flags);
/* Allocate every missing page table for [vaddr, vaddr + npages pages), so mapping
 * there cannot fail.  VM_ENOMEM (fault site pt_page) leaves the directory as it was
 * (the tables this call allocated are freed); VM_EINVAL as pt_write. */
int pt_reserve(struct pt *pt, uint32_t vaddr, uint32_t npages);
/* The PTE for vaddr (0 when no page table covers it). */
uint32_t pt_lookup(const struct pt *pt, uint32_t vaddr);
/* Call fn for every present user PTE (vaddr, pte); stops early when fn returns non-zero
 * and returns that value. */
int pt_for_each_mapping(const struct pt *pt, int (*fn)(uint32_t vaddr, uint32_t pte, void *arg), void *arg);
/* Call fn for the directory and each page-table page. */
void pt_for_each_page(const struct pt *pt, void (*fn)(uint32_t phys, void *arg), void *arg);
/* Number of pages (directory + page tables) the table holds. */
uint32_t pt_page_count(const struct pt *pt);
/* True when the kernel's supervisor PDEs are intact in the directory. */
int pt_kernel_intact(const struct pt *pt);

/* ---- region.c: regions, an AVL tree keyed by address ---- */
struct vir_region;
struct phys_block {
	uint32_t phys;              /* PHYS_NONE until backed */
	uint32_t flags;             /* PBF_* */
	uint32_t refcount;          /* sharers in the list, plus one while PBF_INCACHE */
	uint32_t san_walked;        /* sanity: the check that last walked the list */
	struct phys_region *first;  /* sharer list head */
};
#define PBF_DEVICE  0x1 /* a page VM does not own (VM_MAP_PHYS): never freed by VM */
#define PBF_INCACHE 0x2 /* held by the block cache: counts one in refcount */
struct phys_region {
	struct phys_block *ph;
	struct vir_region *parent;
	uint32_t offset;              /* byte offset within the parent region */
	uint32_t san_listed;          /* sanity: the check whose walk of ph's list met it */
	struct phys_region *next_sharer;
};
struct mem_type;
#define PAGEMAP_LEAF 256 /* page slots per leaf: 2 KiB on x86-64, fits the largest slab class */
struct pagemap_leaf {
	struct phys_region *pr[PAGEMAP_LEAF];
};
/* Pages of the largest top table (a leaf pointer per PAGEMAP_LEAF pages of the user
 * range); a table too large for the slab is made of single pages, never a run. */
#define PAGEMAP_TOP_PAGES \
	((((USER_TOP >> PAGE_SHIFT) / PAGEMAP_LEAF) * sizeof(struct pagemap_leaf *) + PAGE_MASK) >> PAGE_SHIFT)
struct vir_region {
	uint32_t vaddr, length;       /* page-aligned */
	uint32_t flags;               /* VR_* */
	uint32_t id;
	uint32_t phys_base;           /* directphys: the physical address of page 0 */
	endpoint_t src_endpt;         /* shared: the source region's process, */
	uint32_t src_vaddr, src_id;   /* address and id (checked at every fault) */
	uint32_t src_pgoff;           /* shared: source page of this region's page 0 */
	uint64_t file_ino, file_off;  /* file: inode, file offset of page 0 */
	uint64_t file_end;            /* file: bytes at this file offset and past read as zero */
	int32_t file_dev, file_fd;    /* file: device; VFS's descriptor for page-ins (FDIO) */
	int32_t slot;                 /* owning process */
	const struct mem_type *type;
	struct pagemap_leaf **leaves; /* sparse page map (pagemap.c): a slab top table, */
	uint32_t nleaves;
	uint32_t leaf_hi;             /* no leaf at or past this index: walks stop there */
	uint32_t page_lo, page_hi;    /* no page was ever set outside [page_lo, page_hi) */
	uint32_t top_phys[PAGEMAP_TOP_PAGES]; /* or one of single pages (leaves NULL) */
	struct vir_region *left, *right;
	int32_t height;
};
#define VR_WRITABLE 0x001
#define VR_SHARED   0x040 /* shared memory: written in place, never copy-on-write */
#define VR_ANON     0x100
#define VR_DIRECT   0x200
#define VR_PREALLOC_MAP 0x400 /* the RS_MEMCTL preallocated map */
#define VR_STACK    0x800 /* the boot stack region */
#define VR_TEXT     0x1000 /* a boot text segment (read-only), or a copy: VM_MUNMAP_TEXT */

/* Memory types are method tables. */
struct mem_type {
	const char *name;
	/* Serve a fault on page idx of r; write != 0 for a write.  VM_OK or errno. */
	int (*ev_pagefault)(struct vir_region *r, uint32_t idx, int write);
	/* May page idx of r be mapped writable now? */
	int (*writable)(const struct vir_region *r, uint32_t idx);
};
extern const struct mem_type mem_type_anon;
extern const struct mem_type mem_type_directphys;
extern const struct mem_type mem_type_shared;
extern const struct mem_type mem_type_cache;
extern const struct mem_type mem_type_file;
/* memtype_shared.c: a live update put a's address space at b and b's at a; every
 * shared region (alias) whose source was in one now names the other. */
void shared_sources_swapped(endpoint_t a, endpoint_t b);
/* memtype_anon.c, for the file type: back page idx of r with a zeroed page; give page
 * idx a private copy of its shared page.  VM_OK or VM_ENOMEM. */
int anon_fill_page(struct vir_region *r, uint32_t idx);
int anon_copy_page(struct vir_region *r, uint32_t idx);

struct vmproc;
struct vir_region *region_find(struct vmproc *vmp, uint32_t addr);        /* covering addr */
struct vir_region *region_find_ge(struct vmproc *vmp, uint32_t addr);     /* lowest vaddr+len > addr */
struct vir_region *region_find_lt(struct vmproc *vmp, uint32_t addr);     /* highest vaddr < addr */
void region_insert(struct vmproc *vmp, struct vir_region *r);
void region_remove(struct vmproc *vmp, struct vir_region *r);
struct vir_region *region_first(struct vmproc *vmp);
struct vir_region *region_next(struct vmproc *vmp, struct vir_region *r);
uint32_t region_count(struct vmproc *vmp);
int region_tree_check(struct vmproc *vmp); /* AVL heights and order; 0 or SAN_* */

/* ---- pb.c: physical blocks and per-page references ---- */
struct phys_block *pb_new(uint32_t phys);
/* A new unreferenced block holding a copy of pb's page, or NULL (no page or block). */
struct phys_block *pb_copy(const struct phys_block *pb);
/* Link page idx of r to pb (refcount++).  VM_ENOMEM when slab allocation fails. */
int pb_reference(struct vir_region *r, uint32_t idx, struct phys_block *pb);
/* Drop page idx of r; the last reference frees the block and (unless PBF_DEVICE) its page. */
void pb_unreference(struct vir_region *r, uint32_t idx);
/* Move page idx of r from its shared block to pb (copy-on-write); allocates nothing. */
void pb_relink(struct vir_region *r, uint32_t idx, struct phys_block *pb);
/* Free block pb, which nothing references any more (its page is the caller's). */
void pb_free(struct phys_block *pb);
/* Sharers of pb whose region is not shared memory (private copy-on-write copies). */
uint32_t pb_private_sharers(const struct phys_block *pb);
/* Number of pages the region spans. */
static inline uint32_t region_npages(const struct vir_region *r) { return r->length >> PAGE_SHIFT; }

/* ---- pagemap.c: a region's sparse page references ---- */
int pagemap_init(struct vir_region *r, uint32_t npages);
int pagemap_grow(struct vir_region *r, uint32_t npages);
void pagemap_free(struct vir_region *r);
struct phys_region *region_page(const struct vir_region *r, uint32_t idx);
int pagemap_reserve(struct vir_region *r, uint32_t idx);
void pagemap_set(struct vir_region *r, uint32_t idx, struct phys_region *pr);
uint32_t pagemap_next(const struct vir_region *r, uint32_t from);
/* Number of page slots r's map covers. */
static inline uint32_t pagemap_capacity(const struct vir_region *r)
{
	return r->nleaves * PAGEMAP_LEAF;
}
uint32_t pagemap_leaf_count(const struct vir_region *r);
int pagemap_present(const struct vir_region *r);
uint32_t pagemap_top_pages(const struct vir_region *r);
/* Walk the pages of r that have one: for (REGION_EACH_PAGE(r, i)) { ... } */
#define REGION_EACH_PAGE(r, i) \
	uint32_t i = pagemap_next((r), 0); i < region_npages(r); i = pagemap_next((r), i + 1)

/* ---- map.c: address-space operations ---- */
struct vir_region *map_new_region(struct vmproc *vmp, uint32_t vaddr, uint32_t len, uint32_t flags,
				  const struct mem_type *type, int fixed, int *err);
void map_free_region(struct vmproc *vmp, struct vir_region *r);
void map_free_proc(struct vmproc *vmp);
int map_unmap_range(struct vmproc *vmp, uint32_t addr, uint32_t len);
/* An unmap prepared before anything changes, so applying it cannot fail: the region
 * that continues past the range's end has its tail object allocated up front. */
struct unmap_plan {
	uint32_t addr, end;
	struct vir_region *tail; /* in no tree until applied; NULL when no region is cut at end */
};
int map_unmap_prepare(struct vmproc *vmp, uint32_t addr, uint32_t len, struct unmap_plan *plan);
void map_unmap_apply(struct vmproc *vmp, struct unmap_plan *plan);
void map_unmap_cancel(struct unmap_plan *plan);
/* A region in no tree (to be filled, then inserted), and its undo. */
struct vir_region *map_region_build(struct vmproc *vmp, uint32_t vaddr, uint32_t len, uint32_t flags,
				    const struct mem_type *type);
void map_region_discard(struct vir_region *r);
int map_copy_proc(struct vmproc *dst, struct vmproc *src);
int map_share_region(struct vmproc *dst, struct vmproc *src, struct vir_region *r);
int map_extend_upto(struct vmproc *vmp, struct vir_region *r, uint32_t v);
void map_truncate(struct vmproc *vmp, struct vir_region *r, uint32_t npages);
int map_map_page(struct vmproc *vmp, struct vir_region *r, uint32_t idx);
/* Map every page r has (page tables allocated as needed); VM_ENOMEM on failure. */
int map_region_pages(struct vmproc *vmp, struct vir_region *r);
void map_protect_region(struct vmproc *vmp, struct vir_region *r);
/* A sharer was added to pb: rewrite the present PTEs of all its sharers, in any
 * process, with the rights they may have now (a shared-memory sharer loses write
 * access while a private copy-on-write sharer holds the page too). */
void map_protect_block(struct phys_block *pb);
int map_pagefault(struct vmproc *vmp, uint32_t addr, int write);
int map_prefault(struct vmproc *vmp, uint32_t addr, uint32_t len, int write);
int map_range_free(struct vmproc *vmp, uint32_t vaddr, uint32_t len);
uint32_t map_expected_pte(const struct vir_region *r, uint32_t idx);
int map_split_private(struct phys_block *pb);

/* ---- cache.c: the block cache (file-system pages by device and offset) ---- */
#define CACHE_MAX 64
#define VMSF_ONCE 0x1 /* discard after one use: never mapped */
struct cache_entry {
	struct phys_block *pb; /* NULL: free entry */
	int32_t dev;
	uint32_t flags;
	uint64_t dev_off, ino, ino_off;
	uint32_t stamp;        /* last use, for eviction */
};
uint32_t cache_pages(void);
void cache_for_each(void (*fn)(struct phys_block *pb, void *arg), void *arg);
/* The cached block of file page (dev, ino, ino_off), or NULL (discard-after-use blocks
 * are never handed out). */
struct phys_block *cache_find_ino(int32_t dev, uint64_t ino, uint64_t ino_off);
/* Private copies of the pages of a region that cached blocks are, made before anything
 * changes (copy[i] for cache entry i, NULL where the region has no page of it), then
 * linked in place of the blocks (apply: cannot fail) or freed (cancel). */
int cache_copies_prepare(const struct vir_region *r, struct phys_block *copy[CACHE_MAX]);
uint32_t cache_copies_apply(struct vir_region *r, struct phys_block *copy[CACHE_MAX]);
void cache_copies_cancel(struct phys_block *copy[CACHE_MAX]);

/* ---- dma.c: DMA ranges drivers register for processes (VM_ADDDMA/DELDMA/GETDMA) ---- */
#define DMA_MAX VM_DMA_MAX /* rows of the range table (include/vm_calls.h) */
#define DMAF_EXITED   0x1 /* the owner has exited; the row waits for VM_DELDMA */
#define DMAF_REPORTED 0x2 /* VM_GETDMA has reported the exited owner's row */
struct dma_range {
	endpoint_t owner;  /* the process the range is held for (kept after it exits) */
	uint32_t start, size; /* page-aligned, size > 0, inside [USER_BASE, USER_TOP) */
	uint32_t flags;    /* DMAF_* */
};
struct dma_state {
	struct dma_range row[DMA_MAX]; /* rows [0, n) in use, in registration order */
	uint32_t n;
};
/* True when the live process vmp holds a DMA range (it may not fork). */
int dma_held(const struct vmproc *vmp);
/* vmp exits: its rows stay, marked DMAF_EXITED, until VM_DELDMA releases them. */
void dma_owner_exits(const struct vmproc *vmp);
/* The range table's invariants; 0 or SAN_DMA (sanity.c). */
int dma_check(void);

/* ---- vfs.c: file mappings through VFS (VM_VFS_MMAP, VM_VFS_REPLY, mmap of an fd) ---- */
struct vfs_req {
	int32_t kind;          /* VMVFSREQ_* */
	int32_t reqid;         /* VFS_REPLY must echo it */
	endpoint_t endpt;      /* the process concerned (VFSW_ENDPT; VFS_REPLY echoes it) */
	endpoint_t requester;  /* who waits: the mmap caller, or the faulting process */
	int32_t orphan;        /* the requester exited: the answer changes nothing */
	int32_t fd, dev;
	uint64_t off, ino;
	uint32_t len;
	uint32_t fault_addr;   /* FDIO: the fault to serve again */
	int32_t fault_write;
	struct vm_pl_mmap mmap; /* FDLOOKUP: the caller's request */
};
struct vfs_state {
	struct vfs_req q[VM_VFS_QUEUE_MAX]; /* [0, n) in arrival order */
	uint32_t n;
	int32_t active;        /* q[0] was sent and waits for VFS's answer */
	int32_t next_reqid;
	uint32_t ignored;      /* VFS_REPLYs ignored: late, duplicate, wrong reqid or endpoint */
	uint32_t send_failed;  /* requests VFS would not take (answered EIO / SIGSEGV) */
};
/* VM_MMAP of a file (mmap.c): queue the FDLOOKUP for m (already checked) from caller
 * for target; VM_SUSPEND, or VM_ENOMEM (queue full) / VM_EIO (VFS takes nothing). */
int vfs_mmap_request(const message *m, struct vmproc *target);
/* A fault of vmp at addr in file region r needs the page from VFS: queue an FDIO.
 * VM_OK (the process stays stopped until VFS answers) or an errno (kill it). */
int vfs_fault_request(struct vmproc *vmp, const struct vir_region *r, uint32_t addr, int write);
/* vmp exits: its queued requests go, its active one is orphaned; when vmp is the boot
 * VFS every request fails at once (nobody will answer them). */
void vfs_owner_exits(const struct vmproc *vmp);
/* vmp's address space was replaced (PROCCTL CLEAR, EXEC_NEWMEM): the page-ins it waits
 * on are withdrawn like an exiting requester's, and its page fault is ended (the
 * kernel resumes it in the new space). */
void vfs_space_replaced(const struct vmproc *vmp);
/* The queue's invariants; 0 or SAN_VFS (sanity.c). */
int vfs_check(void);
/* mmap.c, for the FDLOOKUP answer: place the file region of the checked request q in
 * vmp (anywhere or MAP_FIXED, as an anonymous mmap would be); *at gets its address.
 * VM_OK or VM_ENOMEM (nothing changed).  The caller sets the file fields. */
int mmap_place_file(struct vmproc *vmp, const struct vm_pl_mmap *q, uint32_t *at);
/* ---- watch.c: exit and signal watches (VM_WATCH_EXIT/NOTIFY_SIG/QUERY_EXIT) ---- */
#define WATCH_MAX VM_WATCH_MAX /* rows of the table (include/vm_calls.h) */
#define WATCH_LIVE   1 /* watcher waits for target's exit */
#define WATCH_EXITED 2 /* event: target exited (a watch, converted at the exit) */
#define WATCH_SIGNAL 3 /* event: VM_NOTIFY_SIG queued a signal of target */
struct watch_row {
	uint32_t kind;       /* WATCH_* */
	endpoint_t watcher;  /* a live process; its rows end with it */
	endpoint_t target;   /* the watched or signalled process (kept after it exits) */
};
struct watch_state {
	struct watch_row row[WATCH_MAX]; /* rows [0, n) in use, in registration order */
	uint32_t n;
};
/* vmp exits: its own rows go; watches of it become exit events, their watchers are
 * notified. */
void watch_proc_exits(const struct vmproc *vmp);
/* Rows in use (the leak oracle). */
uint32_t watch_rows(void);
/* The table's invariants; 0 or SAN_WATCH (sanity.c). */
int watch_check(void);

/* ---- acl.c ---- */
#define NO_ACL   (-1)
#define USER_ACL 0
struct acl_state {
	vm_callmask_t mask[NR_SYS_PROCS];
	uint64_t inuse; /* bit i: entry i in use */
};
void acl_init(void);
int acl_set(struct vmproc *vmp, vm_callmask_t mask, int is_sys);
void acl_fork(struct vmproc *child, const struct vmproc *parent);
void acl_clear(struct vmproc *vmp);
/* VM_OK when vmp may make call number c; VM_ECALLDENIED otherwise. */
int acl_check(const struct vmproc *vmp, int c);
uint32_t acl_entries_in_use(void);

/* ---- proc.c: endpoints and the process table ---- */
#define VMF_INUSE   0x001
#define VMF_EXITING 0x002
struct vmproc {
	uint32_t flags;
	endpoint_t endpt;
	int32_t slot;
	struct pt pt;
	struct vir_region *regions; /* AVL root */
	int32_t acl;
	uint32_t powers;    /* POWER_*: held by this endpoint only, see proc.c */
	uint32_t heap_base; /* start of the region brk grows (the data segment) */
	uint32_t pages_now, pages_max, minflt, majflt;
};
/* Powers: privileges beyond the call mask.  They belong to a process identity (the
 * endpoint, generation included) that the boot description names, never to a slot:
 * they are given at boot, stay with the endpoint through a live update, and end with
 * the process (a later occupant of its slot holds none). */
#define POWER_EXEC      0x1 /* RS, VFS (MINIX's execpriv): mmap for another process
			     * (MAP_THIRDPARTY, MAP_FIXED over it), MAP_UNINITIALIZED,
			     * MAP_PHYS/UNMAP_PHYS for another process, PROCCTL CLEAR */
#define POWER_HANDLEMEM 0x2 /* VFS: PROCCTL HANDLEMEM */
#define POWER_RUSAGE    0x4 /* PM: GETRUSAGE */
#define POWER_VFS POWER_HANDLEMEM /* the boot VFS's identity: VFS_MMAP, VFS_REPLY */
/* The powers of the boot process at slot (0 for a slot that has none). */
uint32_t proc_boot_powers(int32_t slot);
/* True when vmp holds every power of `power`. */
int proc_has_power(const struct vmproc *vmp, uint32_t power);
/* VM_OK when vmp holds `power`; otherwise VM_EPERM, traced as an in-handler ACL
 * denial of call number c (the event the ACL oracle judges by). */
int proc_require_power(const struct vmproc *vmp, uint32_t power, int c);
/* Slot of a live endpoint: VM_OK and *slot, VM_EINVAL (slot out of range) or
 * VM_EDEADEPT (stale generation or free slot). */
int vm_isokendpt(endpoint_t ep, int32_t *slot);
/* The process of a live endpoint, or NULL. */
struct vmproc *proc_get(endpoint_t ep);
/* A live process other than VM (what an endpoint field may name), or NULL. */
struct vmproc *proc_target(endpoint_t ep);
void proc_clear(struct vmproc *vmp);

/* ---- boot.c ---- */
/* Boot VM from the kernel's description: allocator, ACLs, every boot process's
 * regions and page tables.  VM_OK or an errno (the caller panics). */
int vm_boot(void);

/* ---- main.c: the loop ---- */
/* Send m as the reply with result to dst (a handler that answers someone other than
 * the sender does so itself and returns VM_SUSPEND); a refused send is counted. */
void vm_reply_to(endpoint_t dst, message *m, int result);
/* Receive one message and handle it.  Returns 1 when a message was handled, 0 when
 * the feed is empty. */
int vm_step(void);

/* ---- sanity.c ---- */
#define SANITY_INVARIANTS(S)                                          \
	S(SAN_OK, "ok")                                               \
	S(SAN_SLAB_HEADER, "slab page header corrupt")                \
	S(SAN_SLAB_COUNT, "slab use count mismatch")                  \
	S(SAN_SLAB_LINK, "slab page list broken")                     \
	S(SAN_PAGE_REUSED, "page both free and used, or used twice")  \
	S(SAN_PAGE_UNMANAGED, "used page outside VM's pool")          \
	S(SAN_PT_MISSING, "live process without a page directory")    \
	S(SAN_PT_KERNEL, "kernel PDEs altered")                       \
	S(SAN_REGION_ORDER, "regions out of order or overlapping")    \
	S(SAN_REGION_ALIGN, "region not page-aligned")                \
	S(SAN_REGION_RANGE, "region outside the user range")          \
	S(SAN_AVL, "region tree unbalanced")                          \
	S(SAN_PR_LINK, "phys_region parent/offset wrong")             \
	S(SAN_REFCOUNT, "refcount differs from sharer count")         \
	S(SAN_PTE, "PTE does not match its region page")              \
	S(SAN_PTE_STRAY, "PTE maps a page no region holds")           \
	S(SAN_FREE_COUNT, "allocator free count wrong")               \
	S(SAN_PROC, "process table entry inconsistent")               \
	S(SAN_ACL, "ACL entry inconsistent")                          \
	S(SAN_ACCOUNT, "page accounting wrong")                       \
	S(SAN_CACHE, "block cache entry inconsistent")                \
	S(SAN_DMA, "DMA range table inconsistent")                    \
	S(SAN_VFS, "VFS request queue inconsistent")               \
	S(SAN_WATCH, "exit/signal watch table inconsistent")
enum sanity_id {
#define SAN_ENUM(id, text) id,
	SANITY_INVARIANTS(SAN_ENUM)
#undef SAN_ENUM
	SAN_COUNT
};
extern const char *const sanity_text[SAN_COUNT];
/* Run every check; 0 or the first failed invariant's id, with the kind of object it
 * failed on in vm.sanity_obj (SOBJ_*, include/seam.h; SOBJ_NONE when all pass).  Does
 * not panic. */
int sanity_check(void);
/* The incremental check (changed processes only; every global check), as the
 * per-handler checks run it under vm.sanity_incremental. */
int sanity_check_incremental(void);
/* At level l: when l <= the active level, check and panic on failure (after a
 * TR_SANITY_FAIL trace naming the invariant and the object kind).  Incremental when
 * vm.sanity_incremental is set and the level is below SCL_DETAIL, or at SCL_DETAIL
 * once vm.san_full_left full checks have run (the harness sets it to
 * SANITY_FULL_MAX per conversation). */
#define SANITY_FULL_MAX 64
void sanity_at(int l, const char *file, int line);
/* Marks for the incremental checks (and vm.touched): process slot's regions, pages or
 * page table changed; the process owning pt (every process when pt is none's); the
 * first sharer of pb (the process counting it), whose head changed. */
void sanity_changed(int32_t slot);
/* Every process (and vm.touched's every slot) is to be checked again. */
void sanity_all_changed(void);
void sanity_pt_changed(const struct pt *pt);
void sanity_block_changed(const struct phys_block *pb);
/* Only pb's sharer count changed (a sharer that was not the head left): the next check
 * walks pb's list by itself instead of re-deriving the head's process (whose totals do
 * not change); past SAN_COUNTS_MAX blocks per check the head is marked instead. */
#define SAN_COUNTS_MAX 64
void sanity_count_changed(struct phys_block *pb);
/* pb is being freed: it leaves those marks (pb_free). */
void sanity_block_gone(const struct phys_block *pb);
/* What a process's last check counted (sanity.c). */
struct san_tally {
	uint32_t used, objects, cached;
};
#define SANITYCHECK(l) sanity_at((l), __FILE__, __LINE__)

/* ---- handlers (one file per call family) ---- */
int do_exit(message *m);     /* exit.c */
int do_willexit(message *m); /* exit.c */
void proc_destroy(struct vmproc *vmp); /* exit.c: free everything a process owns */
int do_fork(message *m);     /* fork.c */
int do_brk(message *m);      /* break.c */
int do_mmap(message *m);     /* mmap.c */
int do_munmap(message *m);   /* mmap.c */
int do_pagefault(message *m);/* pagefault.c */
int do_info(message *m);     /* info.c */
int do_rs_set_priv(message *m); /* rs.c */
int do_rs_memctl(message *m); /* rs.c */
int do_rs_update(message *m); /* rs.c */
int do_rs_prepare(message *m); /* rs.c */
int do_getphys(message *m);  /* query.c */
int do_getref(message *m);   /* query.c */
int do_map_phys(message *m); /* mapphys.c */
int do_unmap_phys(message *m); /* mapphys.c */
int do_procctl(message *m);  /* procctl.c */
int do_getrusage(message *m); /* procctl.c */
int do_remap(message *m);    /* remap.c: REMAP and REMAP_RO */
int do_shm_unmap(message *m); /* remap.c */
int do_setcache(message *m); /* cache.c */
int do_mapcache(message *m); /* cache.c */
int do_forgetcache(message *m); /* cache.c */
int do_clearcache(message *m); /* cache.c */
int do_adddma(message *m);   /* dma.c */
int do_deldma(message *m);   /* dma.c */
int do_getdma(message *m);   /* dma.c */
int do_exec_newmem(message *m); /* exec.c */
int do_vfs_mmap(message *m); /* vfs.c */
int do_vfs_reply(message *m); /* vfs.c */
int do_watch_exit(message *m); /* watch.c */
int do_notify_sig(message *m); /* watch.c */
int do_query_exit(message *m); /* watch.c */
int do_push_sig(message *m); /* signal.c */
int do_munmap_text(message *m); /* mmap.c */

/* ---- copy.c: data copies with a process, through the kernel ---- */
/* VM_OK, VM_EFAULT (range not mapped/writable, or the kc_copy fault) or VM_ENOMEM. */
int copy_to_proc(endpoint_t ep, uint32_t addr, const void *data, uint32_t len);
int copy_from_proc(endpoint_t ep, uint32_t addr, void *data, uint32_t len);

/* ---- util.c ---- */
/* Minimal console formatter: %d %u %x %s %%. */
void vm_log(const char *fmt, ...);

/* ---- The one state struct ---- */
struct vm_state {
	struct vmproc proc[NR_PROCS];
	struct alloc_state alloc;
	struct slab_state slab;
	struct acl_state acl;
	uint32_t kern_pde[KERNEL_PDE_COUNT];
	struct cache_entry cache[CACHE_MAX];
	uint32_t cache_clock;
	struct dma_state dma;
	struct vfs_state vfs;
	struct watch_state watch;
	uint32_t used_bits[PHYS_MAX_PAGES / 32]; /* sanity scratch: pages seen used */
	int32_t sanity_obj;     /* SOBJ_* the last failed check failed on */
	int32_t sanity_incremental; /* per-handler checks re-derive changed processes only */
	int32_t san_full_left;  /* level-3 checks that may still be full under sanity_incremental */
	uint32_t san_epoch;     /* the number of the check running or last run (never 0) */
	uint32_t san_dirty[NR_PROCS / 32];    /* changed since their last check */
	uint32_t san_live[NR_PROCS / 32];     /* live at their last check */
	struct phys_block *san_counts[SAN_COUNTS_MAX]; /* sharer counts changed since the last check */
	uint32_t san_ncounts;
	struct san_tally san_tally[NR_PROCS]; /* what that check counted */
	uint32_t touched[NR_PROCS / 32];      /* changed since the harness last cleared it */
	uint32_t next_region_id;
	uint32_t mutations;     /* bumped by every state-changing primitive */
	uint32_t dropped;       /* forged messages dropped */
	uint32_t reply_failed;  /* replies the kernel refused */
	int32_t sanity_level;
	int32_t in_sanity;      /* a check is running (no hook nests; the slab may remember headers) */
	int32_t sane_at_valid;  /* sane_at holds the mutation count of the last passed check */
	uint32_t sane_at;
	endpoint_t self;
	int32_t booted;
};
extern struct vm_state vm;
#define MUTATED() (vm.mutations++)

/* Bit pg of a page bitmap (the allocator's free and managed maps). */
static inline int page_bit(const uint32_t *map, uint32_t pg)
{
	return (map[pg / 32] >> (pg % 32)) & 1;
}

/* Is the page at phys free in the pool / one of the pool's pages?  Inline: the sanity
 * checker asks for every page it meets. */
static inline int mem_page_is_free(uint32_t phys)
{
	return phys < PHYS_MAX && page_bit(vm.alloc.free_bits, phys / PAGE_SIZE);
}

static inline int mem_page_is_managed(uint32_t phys)
{
	return phys < PHYS_MAX && page_bit(vm.alloc.managed_bits, phys / PAGE_SIZE);
}

#endif
