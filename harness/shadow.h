/* shadow.h - the memory oracle's parts (harness/shadow*.c), not for other files:
 * its state and the functions one part gives the others.
 *   shadow.c        the oracle: findings, boot shadows, accesses, its hooks
 *   shadow_map.c    the shadows: shared memories, the interval map, words, processes
 *   shadow_calls.c  what each call does to the shadows (memory rules, MEMFX-*)
 *   shadow_plant.c  the self-test plants (VMFUZZ_PLANT=mem:RULE)
 * shadow.c's opening comment describes the model. */
#ifndef VMFUZZ_SHADOW_H
#define VMFUZZ_SHADOW_H

#include <stdint.h>
#include "harness.h"
#include "hosted.h"

#define SH_MAX_IV   224              /* boot layout plus 3 boundaries per record */
#define SH_MAX_W    CONV_MAX_RECORDS /* one word per ACCESS record at most */
#define SH_MAX_OBJ  64               /* shared memories per conversation (0: none) */
#define SH_OBJ_W    CONV_MAX_RECORDS /* its words also come from ACCESS records */
#define SH_MAX_CACHE 64              /* block-cache entries known */
#define SH_MAP_PAGES 16              /* cache pages one call is modelled for */
#define SH_PIECES   16               /* intervals of a source an alias takes over */
#define SH_END      0x100000000ull   /* one past the last address */

enum { MS_UNKNOWN, MS_UNMAPPED, MS_MAPPED };
enum { CK_UNKNOWN, CK_ZERO, CK_IMAGE };
enum { WP_UNKNOWN, WP_RO, WP_RW };
/* What made an interval. */
enum { K_NONE, K_IMAGE, K_STACK, K_HEAP, K_MMAP, K_ALIAS, K_WINDOW, K_CACHE };
/* The call whose effect last set an interval (sh_iv.by): the boot description, a
 * call of the table (1 + its index), or anything else (a raw type, a notification). */
#define BY_BOOT  0
#define BY_OTHER 0xFF
/* Shared memories. */
enum { OB_NONE, OB_SHARED, OB_PHYS, OB_CACHE };
/* The rule an expectation comes from: R_MEMORY for the memory rules, else the
 * memory effect of docs/model.md that set it. */
enum rule {
	R_MEMORY,
	R_SHARE,       /* MEMFX-01 REMAP aliases and their source share one memory */
	R_SHARE_RO,    /* MEMFX-02 a REMAP_RO alias is read-only */
	R_SHM_UNMAP,   /* MEMFX-03 SHM_UNMAP removes the whole alias */
	R_WINDOW,      /* MEMFX-04 window page i is frame F + i; windows alias */
	R_UNMAP_PHYS,  /* MEMFX-05 UNMAP_PHYS removes the whole window */
	R_CACHE_OWNER, /* MEMFX-06 a cached block keeps the owner's page as it was */
	R_CACHE,       /* MEMFX-07 a cache mapping maps its block */
	R_CLEAR,       /* MEMFX-08 PROCCTL CLEAR empties the address space */
	R_UPDATE,      /* MEMFX-09 RS_UPDATE swaps two address spaces */
	R_PREPARE,     /* MEMFX-10 RS_PREPARE grows the heap, copies the mmaps */
	R_PREALLOC,    /* MEMFX-11 RS_MEMCTL preallocations are zero memory */
	R_RUSAGE,      /* MEMFX-12 GETRUSAGE writes PM's buffer */
	R_EXEC,        /* MEMFX-13 EXEC_NEWMEM replaces the space with zero regions */
	R_FILE,        /* MEMFX-14 a mapped file is private memory of unknown content */
	R_COUNT
};
/* Interval i covers [start, next interval's start or SH_END). */
struct sh_iv {
	uint32_t start;
	uint32_t delta;                   /* shared memory: object address - address */
	uint16_t rid;                     /* region id of an alias, window, cache mapping */
	uint8_t map, content, wprot, img; /* img: index into sh.img for CK_IMAGE */
	uint8_t vol;                      /* not known: no words kept */
	uint8_t obj;                      /* 0: private memory; else sh.obj[obj] */
	uint8_t kind;                     /* K_*: what made it */
	uint8_t why;                      /* enum rule its state comes from */
	uint8_t by;                       /* BY_*: the call that last set its state */
};
struct sh_word {
	uint32_t addr, val; /* addr: virtual (private) or object address */
	uint8_t why;        /* private words: enum rule that put it there */
};
struct shadow {
	uint32_t gen; /* == sh.gen: tracked in this run */
	endpoint_t ep;
	uint32_t heap_base; /* where brk's heap starts (the data segment), 0 unknown */
	uint64_t heap_end;  /* the heap region's end as far as known (set with heap_base) */
	uint8_t heap_unsure; /* a MAP_FIXED mmap or munmap met the heap: VM's heap is the
			      * region that now starts at heap_base, of a length not followed */
	uint32_t niv, nw;
	struct sh_iv iv[SH_MAX_IV];
	struct sh_word w[SH_MAX_W];
};
/* A shared memory. */
struct sh_obj {
	uint8_t kind;  /* OB_* */
	uint8_t vol;   /* its content is not known any more */
	uint8_t rule;  /* the rule reads of it are judged by */
	uint8_t content, img; /* OB_CACHE: the block's content beyond its words */
	int32_t call;  /* the call that made it (signatures) */
	uint32_t base; /* OB_CACHE: the block is [base, base + PAGE_SIZE) */
	endpoint_t owner;    /* OB_CACHE: whose page [base, +PAGE_SIZE) it was taken from */
	uint32_t plant_phys; /* OB_CACHE under mem:cache: the block's page */
	uint32_t nw;
	struct sh_word w[SH_OBJ_W];
};
/* A block-cache entry: block (dev, off) is shared memory obj. */
struct sh_cache {
	int32_t dev;
	uint64_t off;
	uint8_t obj;
};

enum plant { PL_NONE, PL_FLIP, PL_COW, PL_UNMAP, PL_RO, PL_ALIAS, PL_CACHE };
#define PLANT_SAVE 16 /* PTEs mem:unmap puts back */

struct shadow_state {
	const struct platform *plat;
	uint32_t gen;
	struct shadow p[NR_PROCS];
	struct shadow boot[BOOT_MAX_PROCS];
	uint32_t nboot;
	endpoint_t pm_ep; /* PM's boot endpoint (GETRUSAGE copies into it) */
	struct {
		int32_t slot;
		int seg;
		uint32_t vaddr, filesz;
	} img[BOOT_MAX_PROCS * BOOT_MAX_SEGS];
	uint32_t nimg;
	struct sh_obj obj[SH_MAX_OBJ];
	uint32_t nobj;    /* obj[0] is unused */
	uint8_t phys_obj; /* the device frames, 0 until a window is mapped */
	struct sh_cache cache[SH_MAX_CACHE];
	uint32_t ncache;
	uint16_t next_rid;
	uint8_t by;       /* BY_* of the message whose effect is being applied */
	enum plant plant;
	uint32_t saved_pte[PLANT_SAVE];
	int plant_saved;  /* mem:alias: the word before the write is in plant_old */
	uint32_t plant_old;
	uint32_t checked; /* reads compared with a known value in this run */
	uint32_t rule_checked[R_COUNT]; /* of those by rule, plus MEMFX-12's copies */
};
extern struct shadow_state sh;

/* What an operation does to each interval of its range. */
enum op {
	OP_FRESH,      /* mapped, every attribute from the arguments */
	OP_UNMAPPED,   /* unmapped (why from the arguments) */
	OP_UNKNOWN,    /* mapping unknown (a failed unmap or fixed map) */
	OP_LOST,       /* mapping and memory unknown, volatile (why from the arguments) */
	OP_BRK,        /* mapped; what was not mapped gets zero (unmapped) or unknown */
	OP_OVERWRITTEN,/* content unknown (a kernel copy may have written it) */
	OP_SEEN,       /* an access succeeded: unknown becomes mapped */
};

/* The attributes an operation sets (OP_FRESH: all; OP_BRK: wprot, why, kind;
 * OP_UNMAPPED, OP_LOST: why). */
struct attr {
	uint8_t content, wprot, img, vol, obj, kind, why;
	uint16_t rid;
	uint32_t delta;
};

#define NO_ATTR ((struct attr){ 0 })

/* What a read of a word must return, and who says so. */
struct expect {
	uint32_t val;
	enum rule why;
	const struct sh_obj *obj; /* the shared memory it lives in, or NULL */
};

/* e, at most SH_END. */
static inline uint64_t clip_end(uint64_t e)
{
	return e > SH_END ? SH_END : e;
}

/* The end of [a, a + len) rounded up to a page, at most SH_END. */
static inline uint64_t range_end(uint64_t a, uint64_t len)
{
	return clip_end((a + len + PAGE_MASK) & ~(uint64_t)PAGE_MASK);
}

/* ---- Findings (shadow.c) ---- */
uint8_t by_of(int32_t type);
void model_finding(enum rule r, const char *call, const char *what, const char *detail);
void state_finding(const struct sh_iv *v, const char *legacy, const char *what, const char *detail);

/* ---- The shadows (shadow_map.c) ---- */
struct sh_obj *obj_new(int kind, enum rule r, int32_t call);
uint8_t obj_index(const struct sh_obj *o);
void obj_word_set(struct sh_obj *o, uint32_t oa, uint32_t val);
struct sh_obj *phys_obj(void);
void shadow_unknown(struct shadow *s, endpoint_t ep);
/* s's heap is [base, end), known to the end (base 0: no heap known). */
void shadow_heap_set(struct shadow *s, uint32_t base, uint64_t end);
void shadow_forget(struct shadow *s);
void shadow_copy(struct shadow *dst, const struct shadow *src);
uint32_t iv_find(const struct shadow *s, uint32_t addr);
uint64_t iv_end(const struct shadow *s, uint32_t i);
int iv_split(struct shadow *s, uint64_t addr);
void iv_merge(struct shadow *s);
void words_drop(struct shadow *s, uint64_t a, uint64_t end);
int iv_volatile(const struct sh_iv *v);
const struct sh_word *word_get(const struct shadow *s, uint32_t addr);
void word_set(struct shadow *s, uint32_t addr, uint32_t val);
uint32_t words_in(const struct shadow *s, const struct sh_iv *v, uint64_t a, uint64_t e, struct sh_word *out,
		  uint32_t max);
void range_op(struct shadow *s, uint64_t a, uint64_t end, enum op op, struct attr at);
void copy_private(struct shadow *dst, const struct shadow *src, const struct sh_iv *v, uint64_t a, uint64_t e,
		  enum rule why);
struct shadow *shadow_of(endpoint_t ep);
struct shadow *target_of(const message *m, endpoint_t ep);
void shared_reset(void);
void forget_all(void);
void forget_unmapped(struct shadow *s, int vol);
void blame_all(struct shadow *s, enum rule r);
int expect_word(const struct shadow *s, uint32_t addr, struct expect *e);
int range_has(const struct shadow *s, uint64_t a, uint64_t end, int map, uint32_t *at,
	      const struct sh_iv **hit);
uint16_t rid_new(void);

/* ---- Calls (shadow_calls.c) ---- */
void shadow_after_msg(const struct run_ctx *x, const struct msg_seen *seen);

/* ---- Plants (shadow_plant.c) ---- */
void plant_before_msg(const message *m);
void plant_after_msg(const message *m, int32_t code, const message *rep);
void shadow_before_access(const struct run_ctx *x, endpoint_t ep, uint32_t addr, int write);
void plant_after_access(endpoint_t ep, uint32_t addr, int write, uint32_t val, int rc);

#endif
