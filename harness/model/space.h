/* space.h - the model's address spaces (owned by space.c and mem.c; see model.h).
 *
 * An address space is an ordered list of extents, one per VM region: [start, end),
 * page-aligned, inside the user range, never overlapping, never merged (two regions
 * side by side stay two, as VM_INFO REGION shows them).  Each extent has a kind, a
 * protection and what its kind needs:
 *   MK_TEXT, MK_DATA  boot segments (text read-only, data writable); the data segment
 *                     that holds the heap start is the heap: VM_BRK moves its end
 *   MK_STACK          the boot stack below stack_top (demand-zero)
 *   MK_ANON           anonymous memory (mmap, RS_MEMCTL map, RS_PREPARE copies)
 *   MK_ALIAS          a VM_REMAP / REMAP_RO alias of another process's region: `link`
 *                     names the source extent (MX_SHSRC with the same link), page i is
 *                     page srcpg + i of the source (no source has the link once part
 *                     of it was removed: the alias is not followed any more)
 *   MK_PHYS           a VM_MAP_PHYS window: page i is frame + i pages (also after a split)
 *   MK_CACHE          a VM_MAPCACHEPAGE mapping of block-cache pages
 * Which pages are present (have a physical page) is kept apart, as runs: [va, va + n
 * pages) maps frames fid .. fid + n - 1.  A frame id names one physical page of the
 * model (fresh ids for every new page; a window's pages get ids at MAP_PHYS time);
 * fid 0 marks pages whose state the model lost (present or not, frame unknown).  The
 * reference count VM reports for a page (VM_GETREF) is the number of runs, over every
 * live process, that map its frame, plus one while the block cache holds it.
 *
 * Freestanding: fixed arrays, no allocation. */
#ifndef VMFUZZ_MODEL_SPACE_H
#define VMFUZZ_MODEL_SPACE_H

#include <stdint.h>

#define MS_MAX_EXT 40 /* extents per process: past this the space is lost */
#define MS_MAX_RUN 72 /* present-page runs per process: past this refcounts are lost */

enum mkind { MK_NONE, MK_TEXT, MK_DATA, MK_STACK, MK_ANON, MK_ALIAS, MK_PHYS, MK_CACHE, MK_NKINDS };

/* Extent flags. */
#define MX_SHSRC 0x01 /* a REMAP source: shared memory while it lives; link names
			* its aliases (0 once a piece of it went: not followable) */
#define MX_RO_ALIAS 0x02 /* MK_ALIAS made by VM_REMAP_RO */

struct mext {
	uint32_t start, end; /* [start, end), page-aligned; end <= USER_TOP */
	uint8_t kind;        /* enum mkind */
	uint8_t wr;          /* writable */
	uint8_t flags;       /* MX_* */
	uint8_t pad;
	uint32_t frame;      /* MK_PHYS: physical address of the page at start */
	uint32_t fid;        /* MK_PHYS: frame id of the page at start (ids are consecutive) */
	uint32_t link;       /* MK_ALIAS: its source's link; MX_SHSRC: its own link (0: none to follow) */
	uint32_t srcpg;      /* MK_ALIAS: page index, in the source, of the alias's first page */
};

struct mrun {
	uint32_t va;    /* page-aligned */
	uint32_t n;     /* pages */
	uint32_t fid;   /* frame id of the first page (0: state unknown) */
	uint32_t phys;  /* physical address of the first page when known (boot images,
			 * windows), else 0; a run with phys != 0 is physically contiguous */
};

struct mspace {
	int used;            /* the process has an address space in the model */
	int lost;            /* the model lost track of it: nothing about it is judged */
	int runs_lost;       /* presence and refcounts not known any more */
	int heap_lost;       /* the heap region is not the boot data region any more */
	uint32_t heap_start; /* start of the heap (data) region, 0 when none */
	uint32_t n, nrun;    /* extents, runs */
	struct mext ext[MS_MAX_EXT];  /* ordered by start */
	struct mrun run[MS_MAX_RUN];  /* ordered by va, non-overlapping */
};

/* The block cache as the model knows it (global state: lives in struct model, field
 * `sg`, owned by space.c). */
#define MCACHE_MAX 64      /* entries the model keeps (VM's own table is as large) */
#define MUFID_MAX  64      /* frames whose reference count the model lost */
#define MLEARN_MAX 64      /* physical addresses learnt from VM_GETPHYS replies */

struct mcache_ent {
	int32_t dev;
	uint64_t off;      /* device offset, page-aligned */
	uint32_t fid;      /* the cached frame */
	uint32_t phys;     /* its physical address when known, else 0 */
	uint8_t once;      /* VMSF_ONCE: never handed out by MAPCACHEPAGE */
	uint8_t used;
};

struct mspace_glob {
	uint32_t next_fid;   /* frame ids handed out so far (0 is "unknown") */
	uint32_t next_link;  /* REMAP link ids handed out so far */
	int refs_lost;       /* some reference counts are lost everywhere */
	int cache_lossy;     /* VM may have dropped entries the model still holds (and
			      * kept some it dropped): cache lookups are not judged */
	uint32_t ncache;
	struct mcache_ent cache[MCACHE_MAX];
	uint32_t nufid;
	uint32_t ufid[MUFID_MAX];
	uint32_t nlearn;
	struct { uint32_t fid, phys; } learn[MLEARN_MAX];
	uint32_t unknown;    /* cases not judged by the space half (counted) */
	int pre_due;         /* space_before_access's verdict for the access under way */
};

/* ---- Operations shared by space.c and mem.c (internal to harness/model/) ---- */
#define MS_END 0x100000000ull /* one past the last address */

/* Index of the extent holding addr, or -1. */
int ms_ext_at(const struct mspace *as, uint32_t addr);
/* The heap extent: the data extent holding heap_start, or -1 (lost or replaced). */
int ms_heap(const struct mspace *as);
/* 1 when no extent of as meets [a, e). */
int ms_range_free(const struct mspace *as, uint64_t a, uint64_t e);
/* The lowest page-aligned a in [lo, hi) with [a, a+len) free: 1 and *at, else 0. */
int ms_hole(const struct mspace *as, uint64_t lo, uint64_t hi, uint64_t len, uint32_t *at);
/* Insert a new extent [start, end) (free, page-aligned); NULL when as is full (as is
 * then lost). */
struct mext *ms_insert(struct mspace *as, uint32_t start, uint32_t end, int kind, int wr);
/* Remove [a, e) from as: extents split or shrink (a window keeps page i = frame + i),
 * present pages in the range go. */
void ms_remove(struct mspace *as, uint64_t a, uint64_t e);
/* Remove extent i whole. */
void ms_remove_ext(struct mspace *as, int i);
/* Page va of as: 1 present (*fid, *phys: 0 when unknown), 0 not present, -1 unknown. */
int ms_page(const struct mspace *as, uint32_t va, uint32_t *fid, uint32_t *phys);
/* Frames [va, va + n pages) of as become fid.. (phys: of the first page, 0 unknown). */
void ms_run_set(struct mspace *as, uint32_t va, uint32_t n, uint32_t fid, uint32_t phys);
/* n fresh frame ids. */
uint32_t ms_fresh(uint32_t n);
/* VM's reference count of frame fid, or -1 when the model lost it. */
int ms_refcount(uint32_t fid);
/* A successful access (or VM's prefault) of page va of as: present now; a write
 * copies a shared private page or moves the private sharers of shared memory away. */
void ms_touch(struct mspace *as, uint32_t va, int write);
/* May page va of as be touched (write: written)?  1 yes, 0 no (SIGSEGV / EFAULT),
 * -1 unknown. */
int ms_touch_ok(const struct mspace *as, uint32_t va, int write);
/* The source extent of alias link (MX_SHSRC) and its space, or NULL. */
struct mext *ms_link_src(uint32_t link, struct mspace **sp);
/* The physical address learnt for frame fid: 1 and *phys, else 0. */
int ms_learnt(uint32_t fid, uint32_t *phys);
void ms_learn(uint32_t fid, uint32_t phys);
/* Mark a frame's reference count lost. */
void ms_ufid(uint32_t fid);
/* Short name of a kind, for signatures ("anon", "phys", ...). */
const char *ms_kind_name(int kind);

#endif
