/* shadow.c - the memory oracle: a shadow of what each process's memory must hold,
 * derived from the protocol alone (never from vm/'s internals).
 *
 * Memory is content in *memories*: a process's private memory (one per process,
 * addressed by virtual address) or a shared memory (a REMAP source region, device
 * frames, a block-cache block), addressed by an object address.  Per process (by
 * slot, stamped with its endpoint) the shadow keeps:
 *   - an interval map over the 32-bit address space, byte-granular, each interval
 *     with a mapping state (unknown, unmapped, mapped), what its bytes hold when no
 *     word says otherwise (unknown, zero, the boot image), whether it may be written
 *     (unknown, read-only, writable), whether it is known (memory the model did not
 *     see created may be shared or a device: volatile), the memory it maps (private,
 *     or shared memory o with object address = address + delta), what made it (its
 *     kind: image, stack, heap, mmap, alias, window, cache mapping; the region id of
 *     an alias, window or cache mapping) and the rule whose effect it is (`why`);
 *   - words: 4-byte values at aligned addresses of its private memory, from every
 *     successful ACCESS (a write records its value, a read pins the value it saw).
 * A shared memory keeps its own words, by object address.  Boot processes start
 * from the boot description: their segments (text read-only, data writable, both
 * holding the image bytes, zero past the file size), a demand-zero stack, nothing
 * else mapped.  Then (the memory rules, kind memory):
 *   VM_MMAP OK     the returned range is fresh: mapped, zero (unless
 *                  MAP_UNINITIALIZED), writable iff PROT_WRITE; a failed MAP_FIXED
 *                  leaves its range unknown (it may have been unmapped first)
 *   VM_MUNMAP OK   the range is unmapped; failed: unknown
 *   VM_BRK OK      every byte of [heap base, break) is mapped now; what was unmapped
 *                  before reads as zero, with the heap's write permission (heap base
 *                  unknown: nothing is known unmapped any more)
 *   VM_FORK OK     the child's shadow is a copy of the parent's: private memory is a
 *                  copy-on-write copy, aliases, windows and cache mappings stay
 *                  shared with the parent; a REMAP source's own region is anonymous
 *                  memory again in the child, a private copy (MEMFX-01)
 *   VM_EXIT OK     the process's shadow is dropped (shadows are per endpoint)
 *   VM_INFO OK     the caller's [ptr, ptr+len) holds unknown bytes (len 20, 32 or
 *                  count*16 by `what`)
 * and the memory effects (kind model, rules MEMFX-* of docs/model.md, "Memory
 * effects"):
 *   VM_REMAP, VM_REMAP_RO OK  the source region's private memory becomes a shared
 *                  memory; the destination [ret_addr, +roundup(size)) maps it too
 *                  (REMAP_RO: read-only).  Unmapping the source or an alias leaves
 *                  the others the memory (its pages stay referenced)   MEMFX-01, -02
 *   VM_SHM_UNMAP OK   the whole alias (or cache mapping) region holding addr is
 *                  unmapped                                                MEMFX-03
 *   VM_MAP_PHYS OK    [reply - offset, roundup(reply + len)) maps the device frames
 *                  from phaddr's page on: page i is frame F + i, every window of every
 *                  process onto one frame maps the same word; unknown until written
 *                                                                          MEMFX-04
 *   VM_UNMAP_PHYS OK  the whole window region holding vaddr is unmapped    MEMFX-05
 *   VM_SETCACHEPAGE OK  block (dev, dev_offset + i) holds what the caller's page i
 *                  holds now; the owner's later writes stay its own        MEMFX-06
 *   VM_MAPCACHEPAGE OK  page i of [addr, +pages) maps block (dev, dev_offset + i):
 *                  writes through any mapping of a block change the block; FORGET-
 *                  CACHEPAGE and CLEARCACHE drop entries, never mapped blocks  MEMFX-07
 *   VM_PROCCTL CLEAR OK  the target's address space is empty (HANDLEMEM: nothing)
 *                                                                          MEMFX-08
 *   VM_RS_UPDATE OK   the two processes' shadows change places             MEMFX-09
 *   VM_RS_PREPARE OK  dst's heap grows to src's heap length (zero), and unless
 *                  SF_VM_NOMMAP every anonymous mmap of src in the mmap range (a
 *                  REMAP source too) appears in dst, same address, as a
 *                  copy-on-write copy                                      MEMFX-10
 *   VM_RS_MEMCTL OK   HEAP_PREALLOC grows the heap by len, MAP_PREALLOC maps zero
 *                  writable memory at the returned addr (PIN, GET_PREALLOC_MAP:
 *                  nothing)                                                MEMFX-11
 *   VM_GETRUSAGE OK   PM's [addr, addr+12) holds unknown bytes             MEMFX-12
 *   VM_GETPHYS, VM_GETREF, VM_RS_SET_PRIV: queries and masks, no memory changes
 *   any other call that succeeds (or is left unanswered) by a live sender: every
 *                  shadow and shared memory is forgotten, i.e. all volatile
 * A lost reply of a call that returns an address makes what may now be mapped
 * unknown (and what it may share volatile); a table that is full forgets (volatile).
 * A failed access changes nothing.  Findings: an access that succeeded in unmapped
 * memory, a write that succeeded in read-only memory, a read that returned something
 * else than the shadow's value.  They are judged by the rule that made the
 * expectation: the interval's `why` (a word's own `why` for a read of a word), and
 * for shared memory the memory's rule.  The memory rules report kind memory:
 *   read-value          a read returned something other than the shadow's value
 *   fork-write-shows    ... and the value read is one another process wrote there
 *   unmapped-reachable  an access (or VM_INFO's copy) succeeded in unmapped memory
 *   ro-write            a write (or VM_INFO's copy) succeeded in read-only memory
 * the memory effects kind model, at=<rule id>, signature key
 * model:<rule>:<call>:<what> (call: the call whose effect was broken; what: shared,
 * window, cache, private, unmapped, ro).  Self-test plants (VMFUZZ_PLANT=mem:RULE)
 * corrupt the MMU state or RAM the way a VM bug would, from the harness, so each
 * rule is shown to fire. */
#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include "harness.h"
#include "hosted.h"
#include "vm_info.h"

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
/* Shared memories. */
enum { OB_NONE, OB_SHARED, OB_PHYS, OB_CACHE };
static const char *const ob_name[] = { "private", "shared", "window", "cache" };

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
	R_COUNT
};
static const struct {
	const char *id, *call;
} rule_def[R_COUNT] = {
	[R_MEMORY] = { "memory", "" },
	[R_SHARE] = { "MEMFX-01", "VM_REMAP" },
	[R_SHARE_RO] = { "MEMFX-02", "VM_REMAP_RO" },
	[R_SHM_UNMAP] = { "MEMFX-03", "VM_SHM_UNMAP" },
	[R_WINDOW] = { "MEMFX-04", "VM_MAP_PHYS" },
	[R_UNMAP_PHYS] = { "MEMFX-05", "VM_UNMAP_PHYS" },
	[R_CACHE_OWNER] = { "MEMFX-06", "VM_SETCACHEPAGE" },
	[R_CACHE] = { "MEMFX-07", "VM_MAPCACHEPAGE" },
	[R_CLEAR] = { "MEMFX-08", "VM_PROCCTL" },
	[R_UPDATE] = { "MEMFX-09", "VM_RS_UPDATE" },
	[R_PREPARE] = { "MEMFX-10", "VM_RS_PREPARE" },
	[R_PREALLOC] = { "MEMFX-11", "VM_RS_MEMCTL" },
	[R_RUSAGE] = { "MEMFX-12", "VM_GETRUSAGE" },
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
static const char *const plant_name[] = { "", "mem:flip", "mem:cow", "mem:unmap", "mem:ro", "mem:alias", "mem:cache" };
#define PLANT_SAVE 16 /* PTEs mem:unmap puts back */

static struct {
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
	enum plant plant;
	uint32_t saved_pte[PLANT_SAVE];
	int plant_saved;  /* mem:alias: the word before the write is in plant_old */
	uint32_t plant_old;
	uint32_t checked; /* reads compared with a known value in this run */
	uint32_t rule_checked[R_COUNT]; /* of those by rule, plus MEMFX-12's copies */
} sh;

/* ---- Findings ---- */
static void memory_finding(const char *rule, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void memory_finding(const char *rule, const char *fmt, ...)
{
	char key[64], at[64], detail[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	snprintf(key, sizeof key, "memory:%s", rule);
	snprintf(at, sizeof at, "memory-%s", rule);
	finding_set("memory", key, NULL, at, "%s", detail);
}

/* A memory effect was broken: kind model at the rule's id, signature key
 * model:<rule>:<call>:<what>. */
static void model_finding(enum rule r, const char *call, const char *what, const char *detail)
{
	char key[96];
	snprintf(key, sizeof key, "model:%s:%s:%s", rule_def[r].id, call, what);
	finding_set("model", key, NULL, rule_def[r].id, "%s", detail);
}

/* A finding about interval v's state (what: unmapped, ro): the memory rule
 * legacy when v's state is the memory rules', else v's memory effect. */
static void state_finding(const struct sh_iv *v, const char *legacy, const char *what, const char *detail)
{
	if (v->why == R_MEMORY)
		memory_finding(legacy, "%s", detail);
	else
		model_finding((enum rule)v->why, rule_def[v->why].call, what, detail);
}

static const char *type_name(int32_t type)
{
	int c = call_by_type(type);
	return c >= 0 ? call_table[c].name : "?";
}

/* ---- Shared memories ---- */
/* A new shared memory (no words, content unknown), or NULL when none is left. */
static struct sh_obj *obj_new(int kind, enum rule r, int32_t call)
{
	if (sh.nobj >= SH_MAX_OBJ)
		return NULL;
	struct sh_obj *o = &sh.obj[sh.nobj++];
	memset(o, 0, offsetof(struct sh_obj, w));
	o->kind = (uint8_t)kind;
	o->rule = (uint8_t)r;
	o->call = call;
	return o;
}

static uint8_t obj_index(const struct sh_obj *o)
{
	return (uint8_t)(o - sh.obj);
}

static const struct sh_word *obj_word_get(const struct sh_obj *o, uint32_t oa)
{
	for (uint32_t i = 0; i < o->nw; i++)
		if (o->w[i].addr == oa)
			return &o->w[i];
	return NULL;
}

/* Remember the word at object address oa of o (a full table: o is volatile). */
static void obj_word_set(struct sh_obj *o, uint32_t oa, uint32_t val)
{
	for (uint32_t i = 0; i < o->nw; i++)
		if (o->w[i].addr == oa) {
			o->w[i].val = val;
			return;
		}
	if (o->nw < SH_OBJ_W)
		o->w[o->nw++] = (struct sh_word){ oa, val, 0 };
	else
		o->vol = 1;
}

/* The device frames, one shared memory addressed by physical address; NULL when
 * none is left. */
static struct sh_obj *phys_obj(void)
{
	if (!sh.phys_obj) {
		struct sh_obj *o = obj_new(OB_PHYS, R_WINDOW, VM_MAP_PHYS);
		if (!o)
			return NULL;
		sh.phys_obj = obj_index(o);
	}
	return &sh.obj[sh.phys_obj];
}

/* ---- The interval map ---- */
static void shadow_unknown(struct shadow *s, endpoint_t ep)
{
	s->gen = sh.gen;
	s->ep = ep;
	s->heap_base = 0;
	s->heap_end = 0;
	s->niv = 1;
	s->nw = 0;
	memset(&s->iv[0], 0, sizeof s->iv[0]); /* start 0, everything unknown */
	s->iv[0].vol = 1;
}

/* Forget everything about s (same endpoint). */
static void shadow_forget(struct shadow *s)
{
	shadow_unknown(s, s->ep);
}

static void shadow_copy(struct shadow *dst, const struct shadow *src)
{
	memcpy(dst, src, offsetof(struct shadow, iv));
	memcpy(dst->iv, src->iv, src->niv * sizeof src->iv[0]);
	memcpy(dst->w, src->w, src->nw * sizeof src->w[0]);
}

/* Index of the interval holding addr. */
static uint32_t iv_find(const struct shadow *s, uint32_t addr)
{
	uint32_t lo = 0, hi = s->niv; /* iv[lo].start <= addr < iv[hi].start */
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (s->iv[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t iv_end(const struct shadow *s, uint32_t i)
{
	return i + 1 < s->niv ? s->iv[i + 1].start : SH_END;
}

/* Make an interval start at addr; its index, or -1 when the map is full. */
static int iv_split(struct shadow *s, uint64_t addr)
{
	if (addr >= SH_END)
		return (int)s->niv;
	uint32_t i = iv_find(s, (uint32_t)addr);
	if (s->iv[i].start == addr)
		return (int)i;
	if (s->niv == SH_MAX_IV)
		return -1;
	memmove(&s->iv[i + 2], &s->iv[i + 1], (s->niv - i - 1) * sizeof s->iv[0]);
	s->iv[i + 1] = s->iv[i];
	s->iv[i + 1].start = (uint32_t)addr;
	s->niv++;
	return (int)i + 1;
}

static int iv_same(const struct sh_iv *a, const struct sh_iv *b)
{
	return a->map == b->map && a->content == b->content && a->wprot == b->wprot && a->vol == b->vol &&
	       (a->content != CK_IMAGE || a->img == b->img) && a->obj == b->obj && a->delta == b->delta &&
	       a->kind == b->kind && a->why == b->why && a->rid == b->rid;
}

/* Join neighbours with equal attributes among iv[lo..hi] (hi < niv). */
static void iv_merge_span(struct shadow *s, uint32_t lo, uint32_t hi)
{
	uint32_t o = lo;
	for (uint32_t i = lo + 1; i <= hi; i++)
		if (!iv_same(&s->iv[o], &s->iv[i]))
			s->iv[++o] = s->iv[i];
	memmove(&s->iv[o + 1], &s->iv[hi + 1], (s->niv - hi - 1) * sizeof s->iv[0]);
	s->niv -= hi - o;
}

/* Join neighbours with equal attributes. */
static void iv_merge(struct shadow *s)
{
	iv_merge_span(s, 0, s->niv - 1);
}

/* Drop every private word overlapping [a, end). */
static void words_drop(struct shadow *s, uint64_t a, uint64_t end)
{
	uint32_t o = 0;
	for (uint32_t i = 0; i < s->nw; i++)
		if ((uint64_t)s->w[i].addr + 4 <= a || s->w[i].addr >= end)
			s->w[o++] = s->w[i];
	s->nw = o;
}

/* True when interval v's bytes are not known (v volatile, or its memory). */
static int iv_volatile(const struct sh_iv *v)
{
	return v->vol || (v->obj && sh.obj[v->obj].vol);
}

/* Where the word at addr of s lives: 1 with *o (NULL: s's private memory) and its
 * address there in *oa; 0 when a byte of it is volatile or its 4 bytes are not in
 * one memory at one offset. */
static int word_home(const struct shadow *s, uint32_t addr, struct sh_obj **o, uint32_t *oa)
{
	const struct sh_iv *v = &s->iv[iv_find(s, addr)];
	for (uint32_t k = 0; k < 4; k++) {
		const struct sh_iv *u = &s->iv[iv_find(s, addr + k)];
		if (iv_volatile(u) || u->obj != v->obj || u->delta != v->delta)
			return 0;
	}
	*o = v->obj ? &sh.obj[v->obj] : NULL;
	*oa = addr + v->delta;
	return 1;
}

static const struct sh_word *word_get(const struct shadow *s, uint32_t addr)
{
	for (uint32_t i = 0; i < s->nw; i++)
		if (s->w[i].addr == addr)
			return &s->w[i];
	return NULL;
}

/* Put a private word of s (why: the rule it comes from); a full table forgets s
 * (words come from ACCESS records, one address each: it does not fill). */
static void word_put(struct shadow *s, uint32_t addr, uint32_t val, uint8_t why)
{
	for (uint32_t i = 0; i < s->nw; i++)
		if (s->w[i].addr == addr) {
			s->w[i].val = val, s->w[i].why = why;
			return;
		}
	if (s->nw < SH_MAX_W)
		s->w[s->nw++] = (struct sh_word){ addr, val, why };
	else
		shadow_forget(s);
}

/* Remember the word at addr (known memory only: private or shared). */
static void word_set(struct shadow *s, uint32_t addr, uint32_t val)
{
	struct sh_obj *o;
	uint32_t oa;
	if (!word_home(s, addr, &o, &oa)) {
		words_drop(s, addr, (uint64_t)addr + 4);
		for (uint32_t k = 0; k < 4; k++) { /* a shared memory it touches is unknown */
			const struct sh_iv *u = &s->iv[iv_find(s, addr + k)];
			if (u->obj)
				sh.obj[u->obj].vol = 1;
		}
		return;
	}
	if (o)
		obj_word_set(o, oa, val);
	else
		word_put(s, addr, val, R_MEMORY);
}

/* The words of interval v of s (its private words, or those of the shared memory it
 * maps) at addresses in [a, e): at most max into out, by virtual address; their
 * count. */
static uint32_t words_in(const struct shadow *s, const struct sh_iv *v, uint64_t a, uint64_t e, struct sh_word *out,
			 uint32_t max)
{
	const struct sh_word *w = v->obj ? sh.obj[v->obj].w : s->w;
	uint32_t n = v->obj ? sh.obj[v->obj].nw : s->nw, k = 0;
	for (uint32_t i = 0; i < n && k < max; i++) {
		uint32_t va = w[i].addr - v->delta;
		if (va >= a && (uint64_t)va + 4 <= e)
			out[k++] = (struct sh_word){ va, w[i].val, w[i].why };
	}
	return k;
}

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

/* Interval v becomes private memory that maps nothing shared. */
static void iv_private(struct sh_iv *v)
{
	v->obj = 0, v->delta = 0, v->kind = K_NONE, v->rid = 0;
}

static void iv_apply(struct sh_iv *v, enum op op, struct attr at)
{
	switch (op) {
	case OP_FRESH:
		v->map = MS_MAPPED, v->content = at.content, v->wprot = at.wprot, v->img = at.img;
		v->vol = at.vol, v->obj = at.obj, v->delta = at.delta, v->kind = at.kind, v->why = at.why;
		v->rid = at.rid;
		break;
	case OP_UNMAPPED:
		v->vol = 0; /* whatever maps it again is modelled, or forgets everything */
		iv_private(v);
		v->why = at.why;
		/* fall through */
	case OP_UNKNOWN: /* private stays private: a failed unmap creates nothing */
		v->map = op == OP_UNMAPPED ? MS_UNMAPPED : MS_UNKNOWN;
		v->content = CK_UNKNOWN, v->wprot = WP_UNKNOWN;
		break;
	case OP_LOST:
		v->map = MS_UNKNOWN, v->content = CK_UNKNOWN, v->wprot = WP_UNKNOWN, v->vol = 1;
		iv_private(v);
		v->why = at.why;
		break;
	case OP_BRK:
		if (v->map != MS_MAPPED) {
			v->content = v->map == MS_UNMAPPED ? CK_ZERO : CK_UNKNOWN;
			v->map = MS_MAPPED, v->wprot = at.wprot, v->vol = 0;
			iv_private(v);
			v->kind = at.kind, v->why = at.why;
		}
		break;
	case OP_OVERWRITTEN:
		v->content = CK_UNKNOWN;
		if (v->obj) /* the shared memory changed under every sharer */
			sh.obj[v->obj].vol = 1;
		break;
	case OP_SEEN:
		if (v->map == MS_UNKNOWN)
			v->map = MS_MAPPED;
		break;
	}
}

/* Apply op to [a, end) of s.  Private words in the range are dropped unless the op
 * keeps contents (OP_UNKNOWN, OP_SEEN; OP_BRK drops those of pages it maps).  When
 * the map is full the process is forgotten (never a false finding, only less
 * checking). */
static void range_op(struct shadow *s, uint64_t a, uint64_t end, enum op op, struct attr at)
{
	if (a >= end)
		return;
	int i = iv_split(s, a), j = i < 0 ? -1 : iv_split(s, end);
	if (i < 0 || j < 0) {
		shadow_forget(s);
		return;
	}
	for (int k = i; k < j; k++) {
		if (op == OP_BRK && s->iv[k].map != MS_MAPPED)
			words_drop(s, s->iv[k].start, iv_end(s, (uint32_t)k));
		iv_apply(&s->iv[k], op, at);
	}
	if (op == OP_FRESH || op == OP_UNMAPPED || op == OP_OVERWRITTEN || op == OP_LOST)
		words_drop(s, a, end);
	/* the map was merged: only [i, j) and its two borders may join now */
	iv_merge_span(s, i > 0 ? (uint32_t)i - 1 : 0, (uint32_t)j < s->niv ? (uint32_t)j : s->niv - 1);
}

/* [a, e) of interval v of src becomes private memory of dst at the same addresses,
 * a copy-on-write copy with src's content and words, set by rule why (dst's
 * interval there is already v's copy, or gets v's attributes). */
static void copy_private(struct shadow *dst, const struct shadow *src, const struct sh_iv *v, uint64_t a, uint64_t e,
			 enum rule why)
{
	struct sh_word w[SH_MAX_W];
	uint32_t n = words_in(src, v, a, e, w, SH_MAX_W);
	struct attr at = { .content = v->content, .wprot = v->wprot, .img = v->img, .kind = v->kind,
			   .why = (uint8_t)why };
	if (v->content == CK_IMAGE && v->delta) /* the image bytes are the source's */
		at.content = CK_UNKNOWN;
	range_op(dst, a, e, OP_FRESH, at);
	for (uint32_t k = 0; k < n; k++)
		word_put(dst, w[k].addr, w[k].val, (uint8_t)why);
}

/* ---- Processes ---- */
/* The shadow of live process ep (an untracked one starts unknown), or NULL when ep
 * is not a live process other than VM.  A slot's shadow is stamped with its
 * endpoint, so a dead process's shadow is never used again. */
static struct shadow *shadow_of(endpoint_t ep)
{
	int32_t slot = ep_slot(ep);
	if (slot < 0 || slot >= NR_PROCS || slot == VM_PROC_NR || !plat_is_live(sh.plat, ep))
		return NULL;
	struct shadow *s = &sh.p[slot];
	if (s->gen != sh.gen || s->ep != ep)
		shadow_unknown(s, ep);
	return s;
}

/* The shadow of endpoint field ep of m (SELF: the sender), or NULL. */
static struct shadow *target_of(const message *m, endpoint_t ep)
{
	return shadow_of(ep == SELF ? m->m_source : ep);
}

/* No shared memory and no cache entry is known. */
static void shared_reset(void)
{
	sh.nobj = 1;
	sh.phys_obj = 0;
	sh.ncache = 0;
}

/* Forget every process and every shared memory (a call the model does not
 * describe succeeded). */
static void forget_all(void)
{
	sh.gen++;
	shared_reset();
}

/* Every page of s that was unmapped may now be mapped, with unknown contents, and
 * (vol) memory someone else may write. */
static void forget_unmapped(struct shadow *s, int vol)
{
	for (uint32_t i = 0; i < s->niv; i++)
		if (s->iv[i].map != MS_MAPPED) {
			words_drop(s, s->iv[i].start, iv_end(s, i));
			iv_apply(&s->iv[i], vol ? OP_LOST : OP_UNKNOWN, NO_ATTR);
		}
	iv_merge(s);
}

/* Every private interval and word of s now comes from rule r (a later finding
 * there is r's). */
static void blame_all(struct shadow *s, enum rule r)
{
	for (uint32_t i = 0; i < s->niv; i++)
		if (!s->iv[i].obj)
			s->iv[i].why = (uint8_t)r;
	for (uint32_t i = 0; i < s->nw; i++)
		s->w[i].why = (uint8_t)r;
	iv_merge(s);
}

static uint8_t image_byte(uint8_t img, uint32_t vaddr)
{
	uint32_t off = vaddr - sh.img[img].vaddr;
	return off < sh.img[img].filesz ? hosted_boot_byte(sh.img[img].slot, sh.img[img].seg, off) : 0;
}

/* What a read of a word must return, and who says so. */
struct expect {
	uint32_t val;
	enum rule why;
	const struct sh_obj *obj; /* the shared memory it lives in, or NULL */
};

/* The value the word at addr must hold: 1 and *e when the shadow knows it. */
static int expect_word(const struct shadow *s, uint32_t addr, struct expect *e)
{
	struct sh_obj *o;
	uint32_t oa;
	if (!word_home(s, addr, &o, &oa))
		return 0;
	const struct sh_iv *v = &s->iv[iv_find(s, addr)];
	const struct sh_word *w = o ? obj_word_get(o, oa) : word_get(s, addr);
	e->obj = o;
	e->why = o ? (enum rule)o->rule : (enum rule)(w ? w->why : v->why);
	if (w) {
		e->val = w->val;
		return 1;
	}
	e->val = 0;
	for (uint32_t k = 0; k < 4; k++) {
		const struct sh_iv *u = &s->iv[iv_find(s, addr + k)];
		if (u->map != MS_MAPPED || u->content == CK_UNKNOWN)
			return 0;
		if (u->content == CK_IMAGE)
			e->val |= (uint32_t)image_byte(u->img, addr + k + u->delta) << (8 * k);
	}
	return 1;
}

/* The first byte of [a, end) in s whose interval has map state `map` (or, with
 * map < 0, is read-only); 1, *at and *hit when there is one. */
static int range_has(const struct shadow *s, uint64_t a, uint64_t end, int map, uint32_t *at,
		     const struct sh_iv **hit)
{
	if (a >= end)
		return 0;
	for (uint32_t i = iv_find(s, (uint32_t)a); i < s->niv && s->iv[i].start < end; i++) {
		const struct sh_iv *v = &s->iv[i];
		if ((map >= 0 && v->map == map) || (map < 0 && v->map == MS_MAPPED && v->wprot == WP_RO)) {
			*at = v->start > a ? v->start : (uint32_t)a;
			*hit = v;
			return 1;
		}
	}
	return 0;
}

/* ---- Boot ---- */
/* The boot shadow of one boot process: its segments, its stack, nothing else. */
static void boot_shadow(struct shadow *s, const struct boot_proc *bp)
{
	shadow_unknown(s, bp->endpt);
	range_op(s, 0, SH_END, OP_UNMAPPED, NO_ATTR);
	for (uint32_t j = 0; j < bp->nsegs && j < BOOT_MAX_SEGS; j++) {
		const struct boot_seg *sg = &bp->seg[j];
		uint64_t end = ((uint64_t)sg->vaddr + sg->memsz + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
		uint8_t img = (uint8_t)sh.nimg++;
		sh.img[img].slot = bp->slot;
		sh.img[img].seg = (int)j;
		sh.img[img].vaddr = sg->vaddr;
		sh.img[img].filesz = sg->filesz;
		range_op(s, sg->vaddr, end, OP_FRESH,
			 (struct attr){ .content = CK_IMAGE, .wprot = (sg->flags & SEG_W) ? WP_RW : WP_RO, .img = img,
					.kind = K_IMAGE });
		if (sg->flags & SEG_W) { /* brk grows the last writable segment */
			s->heap_base = sg->vaddr;
			s->heap_end = end;
		}
	}
	if (bp->stack_size)
		range_op(s, (uint64_t)bp->stack_top - bp->stack_size, bp->stack_top, OP_FRESH,
			 (struct attr){ .content = CK_ZERO, .wprot = WP_RW, .kind = K_STACK });
}

void shadow_init(const struct platform *plat)
{
	const struct boot_info *bi = plat->bootinfo();
	enum plant plant = sh.plant;
	memset(&sh, 0, sizeof sh);
	sh.plat = plat;
	sh.plant = plant;
	sh.gen = 1;
	sh.pm_ep = NONE;
	for (uint32_t i = 0; i < bi->nprocs && i < BOOT_MAX_PROCS; i++) {
		boot_shadow(&sh.boot[sh.nboot++], &bi->proc[i]);
		if (bi->proc[i].slot == PM_PROC_NR)
			sh.pm_ep = bi->proc[i].endpt;
	}
}

uint32_t shadow_checked(void)
{
	return sh.checked;
}

uint32_t shadow_checked_rule(const char *id)
{
	for (int r = 0; r < R_COUNT; r++)
		if (!strcmp(rule_def[r].id, id))
			return sh.rule_checked[r];
	return 0;
}

static void shadow_begin(const struct run_ctx *x)
{
	(void)x;
	sh.gen++;
	sh.checked = 0;
	memset(sh.rule_checked, 0, sizeof sh.rule_checked);
	shared_reset();
	sh.next_rid = 0;
	sh.plant_saved = 0;
	for (uint32_t i = 0; i < sh.nboot; i++) {
		int32_t slot = ep_slot(sh.boot[i].ep);
		shadow_copy(&sh.p[slot], &sh.boot[i]);
		sh.p[slot].gen = sh.gen;
	}
}

/* A new region id (aliases, windows and cache mappings are removed whole). */
static uint16_t rid_new(void)
{
	if (++sh.next_rid == 0)
		sh.next_rid = 1;
	return sh.next_rid;
}

/* ---- Plants (self-test): MMU or RAM corruption a VM bug would cause ---- */
int shadow_plant(const char *name)
{
	for (int i = 1; i < (int)(sizeof plant_name / sizeof plant_name[0]); i++)
		if (!strcmp(name, plant_name[i])) {
			sh.plant = (enum plant)i;
			return 0;
		}
	if (!strcmp(name, "none")) {
		sh.plant = PL_NONE;
		return 0;
	}
	return -1;
}

/* The PDE and PTE of vaddr in ep's page tables (NULL when there is none). */
static uint32_t *pte_of(endpoint_t ep, uint32_t vaddr, uint32_t **pde)
{
	int32_t slot = ep_slot(ep);
	if (slot < 0 || slot >= NR_PROCS || !kmodel.proc[slot].pdir)
		return NULL;
	uint32_t *pd = phys_ptr(kmodel.proc[slot].pdir, PAGE_SIZE);
	*pde = &pd[vaddr >> 22];
	if (!(**pde & PTE_P) || (**pde & PDE_PS))
		return NULL;
	uint32_t *pt = phys_ptr(**pde & PTE_ADDR_MASK, PAGE_SIZE);
	return &pt[(vaddr >> PAGE_SHIFT) & (PTE_ENTRIES - 1)];
}

/* mem:cow: every present user page of ep becomes writable (no copy-on-write). */
static void plant_all_writable(endpoint_t ep)
{
	for (uint32_t a = USER_BASE; a < USER_TOP; a += PAGE_SIZE) {
		uint32_t *pde, *pte = pte_of(ep, a, &pde);
		if (!pte) {
			a |= BIG_PAGE_SIZE - 1; /* skip the rest of this page table */
			a -= PAGE_SIZE - 1;
			continue;
		}
		if (*pte & PTE_P) {
			*pde |= PTE_W;
			*pte |= PTE_W;
		}
	}
}

static void plant_before_msg(const message *m)
{
	if (sh.plant != PL_UNMAP || m->m_type != VM_MUNMAP)
		return;
	for (uint32_t i = 0; i < PLANT_SAVE; i++) {
		uint32_t *pde, *pte = pte_of(m->m_source, m->u.munmap.addr + i * PAGE_SIZE, &pde);
		sh.saved_pte[i] = pte ? *pte : 0;
	}
}

static void plant_after_msg(const message *m, int32_t code, const message *rep)
{
	if (code != VM_OK)
		return;
	uint32_t live;
	/* The unmapped range stays mapped, onto a live page (the caller's first text
	 * page: a freed page would be poisoned, and ASan would see it first). */
	if (sh.plant == PL_UNMAP && m->m_type == VM_MUNMAP && mmu_translate(m->m_source, TEXT_VADDR, 0, &live) == VM_OK)
		for (uint32_t i = 0; i < PLANT_SAVE; i++) {
			uint32_t *pde, *pte = pte_of(m->m_source, m->u.munmap.addr + i * PAGE_SIZE, &pde);
			if (pte && (sh.saved_pte[i] & PTE_P))
				*pte = (live & PTE_ADDR_MASK) | (sh.saved_pte[i] & ~PTE_ADDR_MASK);
		}
	if (sh.plant == PL_COW && m->m_type == VM_FORK && rep) {
		plant_all_writable(m->u.fork.parent);
		plant_all_writable(rep->u.fork.child);
	}
}

/* mem:alias: a write through a REMAP alias does not reach the memory it shares
 * (as if the alias were a private copy): the word it replaces is saved here and put
 * back after the write. */
static void plant_alias_save(endpoint_t ep, uint32_t addr, int write)
{
	struct shadow *s;
	struct expect e;
	sh.plant_saved = 0;
	if (sh.plant != PL_ALIAS || !write || !(s = shadow_of(ep)) || s->iv[iv_find(s, addr)].kind != K_ALIAS)
		return;
	if (expect_word(s, addr, &e)) {
		sh.plant_old = e.val;
		sh.plant_saved = 1;
	}
}

static void shadow_before_access(const struct run_ctx *x, endpoint_t ep, uint32_t addr, int write)
{
	(void)x;
	uint32_t *pde, *pte;
	if (sh.plant == PL_RO && write && (pte = pte_of(ep, addr, &pde)) && (*pte & PTE_P)) {
		*pde |= PTE_W;
		*pte |= PTE_W; /* the write protection is lost */
	}
	plant_alias_save(ep, addr, write);
}

/* mem:cache: the old owner's write after VM_SETCACHEPAGE lands in the cached block
 * too. */
static void plant_cache_write(endpoint_t ep, uint32_t addr, uint32_t val)
{
	for (uint32_t i = 1; i < sh.nobj; i++) {
		const struct sh_obj *o = &sh.obj[i];
		if (o->kind == OB_CACHE && o->plant_phys && o->owner == ep && o->base == (addr & ~PAGE_MASK))
			*(uint32_t *)phys_ptr(o->plant_phys + (addr & PAGE_MASK), 4) = val;
	}
}

static void plant_after_access(endpoint_t ep, uint32_t addr, int write, uint32_t val, int rc)
{
	uint32_t phys;
	if (!write || rc != VM_OK)
		return;
	if (sh.plant == PL_FLIP && mmu_translate(ep, addr, 0, &phys) == VM_OK)
		*(uint8_t *)phys_ptr(phys, 1) ^= 1; /* the page loses the write */
	if (sh.plant == PL_ALIAS && sh.plant_saved && mmu_translate(ep, addr, 0, &phys) == VM_OK)
		*(uint32_t *)phys_ptr(phys, 4) = sh.plant_old;
	if (sh.plant == PL_CACHE)
		plant_cache_write(ep, addr, val);
}

/* e, at most SH_END. */
static uint64_t clip_end(uint64_t e)
{
	return e > SH_END ? SH_END : e;
}

/* The end of [a, a + len) rounded up to a page, at most SH_END. */
static uint64_t range_end(uint64_t a, uint64_t len)
{
	return clip_end((a + len + PAGE_MASK) & ~(uint64_t)PAGE_MASK);
}

/* ---- The oracle: accesses ---- */
/* The rule a read of val where exp was due breaks: another live process's write of
 * that value at that address shows (fork-write-shows), or plain read-value. */
static const char *read_rule(const struct shadow *s, uint32_t addr, uint32_t val)
{
	for (int32_t slot = 0; slot < NR_PROCS; slot++) {
		const struct shadow *o = &sh.p[slot];
		const struct sh_word *w;
		if (o == s || o->gen != sh.gen || !plat_is_live(sh.plat, o->ep))
			continue;
		if ((w = word_get(o, addr)) && w->val == val)
			return "fork-write-shows";
	}
	return "read-value";
}

/* True when the old owner of cached block o holds val at the block's word oa now
 * (its later write shows in the block). */
static int owner_write_shows(const struct sh_obj *o, uint32_t oa, uint32_t val)
{
	const struct shadow *s;
	struct expect e;
	int32_t slot = ep_slot(o->owner);
	if (o->kind != OB_CACHE || slot < 0 || slot >= NR_PROCS)
		return 0;
	s = &sh.p[slot];
	return s->gen == sh.gen && s->ep == o->owner && expect_word(s, oa, &e) &&
	       e.val == val;
}

/* A read of addr by ep returned val where e was due. */
static void read_finding(const struct shadow *s, endpoint_t ep, uint32_t addr, uint32_t val, const struct expect *e)
{
	char d[256];
	const struct sh_obj *o = e->obj;
	if (!o && e->why == R_MEMORY) {
		memory_finding(read_rule(s, addr, val), "read of 0x%x by %d returned 0x%x, expected 0x%x", addr, ep,
			       val, e->val);
		return;
	}
	if (!o) {
		snprintf(d, sizeof d, "read of 0x%x by %d returned 0x%x, expected 0x%x (private memory, since %s)", addr,
			 ep, val, e->val, rule_def[e->why].call);
		model_finding(e->why, rule_def[e->why].call, "private", d);
		return;
	}
	uint32_t oa = addr + s->iv[iv_find(s, addr)].delta;
	int owner = owner_write_shows(o, oa, val);
	snprintf(d, sizeof d, "read of 0x%x by %d returned 0x%x, expected 0x%x (%s memory made by %s%s)", addr, ep, val,
		 e->val, ob_name[o->kind], type_name(o->call),
		 owner ? "; the value is the old owner's later write" : "");
	if (owner)
		model_finding(R_CACHE_OWNER, "VM_SETCACHEPAGE", "cache", d);
	else
		model_finding((enum rule)o->rule, type_name(o->call), ob_name[o->kind], d);
}

static void shadow_access(const struct run_ctx *x, const struct access_seen *a)
{
	endpoint_t ep = a->ep;
	uint32_t addr = a->addr, val = a->value;
	int write = a->write, rc = a->rc;
	const struct sh_iv *v;
	struct expect e;
	char d[200];
	(void)x;
	plant_after_access(ep, addr, write, val, rc);
	struct shadow *s = rc == VM_OK ? shadow_of(ep) : NULL;
	uint32_t at;
	if (!s)
		return;
	if (range_has(s, addr, (uint64_t)addr + 4, MS_UNMAPPED, &at, &v)) {
		snprintf(d, sizeof d, "%s of 0x%x by %d succeeded, but 0x%x is unmapped", write ? "write" : "read", addr,
			 ep, at);
		state_finding(v, "unmapped-reachable", "unmapped", d);
		return;
	}
	if (write && range_has(s, addr, (uint64_t)addr + 4, -1, &at, &v)) {
		snprintf(d, sizeof d, "write of 0x%x to 0x%x by %d succeeded in read-only memory", val, addr, ep);
		state_finding(v, "ro-write", "ro", d);
		return;
	}
	if (!write && expect_word(s, addr, &e)) {
		sh.checked++;
		sh.rule_checked[e.obj ? e.obj->rule : e.why]++;
		if (e.val != val) {
			read_finding(s, ep, addr, val, &e);
			return;
		}
	}
	word_set(s, addr, val);
	uint32_t pg = addr & ~PAGE_MASK;
	if (range_has(s, pg, (uint64_t)pg + PAGE_SIZE, MS_UNKNOWN, &at, &v)) /* else nothing to learn */
		range_op(s, pg, (uint64_t)pg + PAGE_SIZE, OP_SEEN, NO_ATTR);
}

static void shadow_before_msg(const struct run_ctx *x, const message *m, uint32_t status)
{
	(void)x;
	(void)status;
	plant_before_msg(m);
}

/* ---- The memory rules' calls ---- */
static void on_mmap(const message *m, int32_t code, const message *rep)
{
	uint32_t flags = m->u.mmap.flags;
	endpoint_t who = m->m_source;
	if ((flags & MAP_THIRDPARTY) && m->u.mmap.forwhom != SELF)
		who = m->u.mmap.forwhom;
	struct shadow *s = shadow_of(who);
	if (!s)
		return;
	if (code != VM_OK) {
		if (flags & MAP_FIXED)
			range_op(s, m->u.mmap.addr, range_end(m->u.mmap.addr, m->u.mmap.len), OP_UNKNOWN, NO_ATTR);
		return;
	}
	uint32_t ret = rep ? rep->u.mmap.retaddr : m->u.mmap.addr;
	if (!rep && !(flags & MAP_FIXED)) { /* the reply was lost: it went somewhere */
		forget_unmapped(s, 0);
		return;
	}
	range_op(s, ret, range_end(ret, m->u.mmap.len), OP_FRESH,
		 (struct attr){ .content = (flags & MAP_UNINITIALIZED) ? CK_UNKNOWN : CK_ZERO,
				.wprot = (m->u.mmap.prot & PROT_WRITE) ? WP_RW : WP_RO, .kind = K_MMAP });
}

/* The heap of s grows to end (what was unmapped in [heap base, end) reads as zero,
 * with the heap's write permission), because of rule why. */
static void heap_grow(struct shadow *s, uint64_t end, enum rule why)
{
	const struct sh_iv *h = &s->iv[iv_find(s, s->heap_base)];
	uint8_t wprot = h->map == MS_MAPPED ? h->wprot : WP_UNKNOWN;
	range_op(s, s->heap_base, end, OP_BRK, (struct attr){ .wprot = wprot, .kind = K_HEAP, .why = (uint8_t)why });
	if (end > s->heap_end)
		s->heap_end = end;
}

static void on_brk(const message *m, int32_t code)
{
	struct shadow *s = shadow_of(m->m_source);
	if (!s || code != VM_OK)
		return;
	if (!s->heap_base) { /* the heap is somewhere: what was unmapped may be mapped now */
		forget_unmapped(s, 0);
		return;
	}
	if (m->u.brk.addr <= s->heap_base)
		return;
	heap_grow(s, range_end(m->u.brk.addr, 0), R_MEMORY);
}

/* A fork's child keeps shared memory shared (aliases, windows, cache mappings),
 * except a REMAP source's own region: the child's copy of it is anonymous memory
 * again, a private copy-on-write copy (MEMFX-01). */
static void fork_private(struct shadow *c, const struct shadow *p)
{
	for (uint32_t i = 0; i < p->niv; i++) {
		const struct sh_iv *v = &p->iv[i];
		if (!v->obj || sh.obj[v->obj].kind != OB_SHARED || v->kind == K_ALIAS)
			continue;
		if (iv_volatile(v))
			range_op(c, v->start, iv_end(p, i), OP_LOST, (struct attr){ .why = R_SHARE });
		else
			copy_private(c, p, v, v->start, iv_end(p, i), R_SHARE);
	}
}

static void on_fork(const message *m, int32_t code, const message *rep)
{
	int32_t slot = m->u.fork.slot;
	if (code != VM_OK || slot < 0 || slot >= NR_PROCS)
		return;
	endpoint_t child = rep ? rep->u.fork.child : kmodel.proc[slot].endpt;
	struct shadow *p = shadow_of(m->u.fork.parent), *c = shadow_of(child);
	if (!p || !c || p == c)
		return;
	shadow_copy(c, p);
	c->ep = child;
	fork_private(c, p);
}

/* A kernel copy of len bytes into [a, a + len) of s succeeded (VM_INFO, and under
 * rule why GETRUSAGE): a finding when that memory is unmapped or read-only, else
 * those bytes are unknown now. */
static void copy_out(struct shadow *s, const char *call, uint32_t a, uint32_t len, endpoint_t ep, enum rule why)
{
	uint64_t end = clip_end((uint64_t)a + len);
	const struct sh_iv *v;
	uint32_t at;
	char d[200];
	if (why != R_MEMORY)
		sh.rule_checked[why]++;
	if (range_has(s, a, end, MS_UNMAPPED, &at, &v)) {
		snprintf(d, sizeof d, "%s copied %u bytes to 0x%x in %d, but 0x%x is unmapped", call, len, a, ep, at);
		if (why == R_MEMORY)
			state_finding(v, "unmapped-reachable", "unmapped", d);
		else
			model_finding(why, call, "unmapped", d);
	} else if (range_has(s, a, end, -1, &at, &v)) {
		snprintf(d, sizeof d, "%s copied %u bytes to 0x%x in %d, but 0x%x is read-only", call, len, a, ep, at);
		if (why == R_MEMORY)
			state_finding(v, "ro-write", "ro", d);
		else
			model_finding(why, call, "ro", d);
	} else
		range_op(s, a, end, OP_OVERWRITTEN, NO_ATTR);
}

static void on_info(const message *m, int32_t code, const message *rep)
{
	struct shadow *s = shadow_of(m->m_source);
	uint32_t len;
	if (!s || code != VM_OK)
		return;
	if (m->u.info.what == VMIW_STATS)
		len = 20;
	else if (m->u.info.what == VMIW_USAGE)
		len = 32;
	else {
		int32_t n = rep ? rep->u.info.count : m->u.info.count; /* lost reply: at most */
		len = 16u * (uint32_t)(n < 0 ? 0 : n > MAX_VRI_COUNT ? MAX_VRI_COUNT : n);
		if (!rep) { /* the copy's length is not known */
			uint64_t a = m->u.info.ptr;
			range_op(s, a, clip_end(a + len), OP_OVERWRITTEN, NO_ATTR);
			return;
		}
	}
	copy_out(s, "VM_INFO", m->u.info.ptr, len, m->m_source, R_MEMORY);
}

/* ---- Shared memory: REMAP, REMAP_RO, SHM_UNMAP (MEMFX-01..03) ---- */
/* Move the private words of s in [a, e) into o (object address = address). */
static void words_move(struct shadow *s, uint64_t a, uint64_t e, struct sh_obj *o)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < s->nw; i++)
		if (s->w[i].addr >= a && (uint64_t)s->w[i].addr + 4 <= e)
			obj_word_set(o, s->w[i].addr, s->w[i].val);
		else
			s->w[k++] = s->w[i];
	s->nw = k;
}

/* The private memory of s in [a, e) becomes one new shared memory made by call
 * (its words move there, object address = address); intervals already shared keep
 * their memory.  With no memory left, [a, e) becomes volatile. */
static void make_shared(struct shadow *s, uint64_t a, uint64_t e, int32_t call)
{
	int i = iv_split(s, a), j = i < 0 ? -1 : iv_split(s, e);
	struct sh_obj *o = NULL;
	if (i < 0 || j < 0) {
		shadow_forget(s);
		return;
	}
	for (int k = i; k < j; k++) {
		struct sh_iv *v = &s->iv[k];
		uint64_t ve = iv_end(s, (uint32_t)k);
		if (v->obj)
			continue;
		if (!o && !(o = obj_new(OB_SHARED, R_SHARE, call))) {
			v->vol = 1;
			words_drop(s, v->start, ve);
			continue;
		}
		words_move(s, v->start, ve, o);
		v->obj = obj_index(o);
		v->delta = 0;
	}
	iv_merge(s);
}

/* Every shared memory [a, e) of s maps becomes volatile (an alias the model cannot
 * see may write it). */
static void shared_lost(const struct shadow *s, uint64_t a, uint64_t e)
{
	if (a >= e)
		return;
	for (uint32_t i = iv_find(s, (uint32_t)a); i < s->niv && s->iv[i].start < e; i++)
		if (s->iv[i].obj)
			sh.obj[s->iv[i].obj].vol = 1;
}

/* A run of one interval's state, copied out of a shadow. */
struct piece {
	uint64_t a, e;
	struct sh_iv v;
};

/* The intervals of s over [a, e), clipped; their count, or -1 past max. */
static int pieces_of(const struct shadow *s, uint64_t a, uint64_t e, struct piece *p, int max)
{
	int n = 0;
	if (a >= e)
		return 0;
	for (uint32_t i = iv_find(s, (uint32_t)a); i < s->niv && s->iv[i].start < e; i++) {
		if (n == max)
			return -1;
		p[n].a = s->iv[i].start > a ? s->iv[i].start : a;
		p[n].e = iv_end(s, i) < e ? iv_end(s, i) : e;
		p[n].v = s->iv[i];
		n++;
	}
	return n;
}

struct remap_req {
	endpoint_t dst, src;
	uint32_t dst_addr, src_addr, size;
};

/* The fields of a VM_REMAP or VM_REMAP_RO (one layout, two payload names). */
static void remap_req(const message *m, struct remap_req *r)
{
	if (m->m_type == VM_REMAP)
		*r = (struct remap_req){ m->u.remap.dst, m->u.remap.src, m->u.remap.dst_addr, m->u.remap.src_addr,
					 m->u.remap.size };
	else
		*r = (struct remap_req){ m->u.remap_ro.dst, m->u.remap_ro.src, m->u.remap_ro.dst_addr,
					 m->u.remap_ro.src_addr, m->u.remap_ro.size };
}

/* dst's [d, d + (e - a)) becomes an alias of src's [a, e), piece by piece: each
 * maps what the source piece maps (the shared memory, at the same object address),
 * with the source's content; what the model does not know (src NULL: all) is
 * volatile. */
static void alias_build(struct shadow *dst, uint32_t d, const struct shadow *src, uint64_t a, uint64_t e, int ro)
{
	struct piece p[SH_PIECES];
	struct attr at = { .content = CK_UNKNOWN, .wprot = ro ? WP_RO : WP_RW, .vol = 1, .kind = K_ALIAS,
			   .why = ro ? R_SHARE_RO : R_SHARE, .rid = rid_new() };
	int n = src ? pieces_of(src, a, e, p, SH_PIECES) : -1;
	if (n < 0) {
		if (src)
			shared_lost(src, a, e);
		range_op(dst, d, d + (e - a), OP_FRESH, at);
		return;
	}
	for (int i = 0; i < n; i++) {
		const struct sh_iv *v = &p[i].v;
		struct attr pa = at;
		if (v->map == MS_MAPPED && v->obj && !v->vol) {
			pa.content = v->content, pa.img = v->img, pa.vol = 0, pa.obj = v->obj;
			pa.delta = v->delta + (uint32_t)a - d;
		}
		range_op(dst, d + (p[i].a - a), d + (p[i].e - a), OP_FRESH, pa);
	}
}

/* VM_REMAP / VM_REMAP_RO OK: the source region becomes shared memory and the alias
 * at ret_addr maps it; an alias the model cannot place (lost reply, untracked
 * destination) makes that memory volatile. */
static void on_remap(const message *m, int32_t code, const message *rep)
{
	struct remap_req r;
	if (code != VM_OK)
		return;
	remap_req(m, &r);
	struct shadow *src = target_of(m, r.src), *dst = target_of(m, r.dst);
	uint64_t a = r.src_addr, e = range_end(r.src_addr, r.size);
	if (src)
		make_shared(src, a, e, m->m_type);
	if (src && (!dst || !rep))
		shared_lost(src, a, e);
	if (dst && !rep)
		forget_unmapped(dst, 1);
	else if (dst)
		alias_build(dst, m->m_type == VM_REMAP ? rep->u.remap.ret_addr : rep->u.remap_ro.ret_addr, src, a, e,
			    m->m_type == VM_REMAP_RO);
}

/* VM_SHM_UNMAP / VM_UNMAP_PHYS OK: the whole region holding addr is gone (rule
 * why); it must be of a kind in `kinds` (bits 1 << K_*).  When the model does not
 * know such a region there, s is forgotten. */
static void unmap_region(struct shadow *s, uint32_t addr, unsigned kinds, enum rule why)
{
	uint32_t i = iv_find(s, addr), lo = i, hi = i;
	const struct sh_iv *v = &s->iv[i];
	if (v->map != MS_MAPPED || !(kinds & (1u << v->kind)) || !v->rid) {
		shadow_forget(s);
		return;
	}
	while (lo > 0 && s->iv[lo - 1].map == MS_MAPPED && s->iv[lo - 1].rid == v->rid)
		lo--;
	while (hi + 1 < s->niv && s->iv[hi + 1].map == MS_MAPPED && s->iv[hi + 1].rid == v->rid)
		hi++;
	range_op(s, s->iv[lo].start, iv_end(s, hi), OP_UNMAPPED, (struct attr){ .why = (uint8_t)why });
}

/* ---- Device windows: MAP_PHYS, UNMAP_PHYS (MEMFX-04, -05) ---- */
/* MAP_PHYS maps device frames: [reply - offset, roundup(reply + len)), page i onto
 * frame (phaddr's page) + i, one shared memory by physical address for every
 * window; a lost reply forgets the target and the device memory. */
static void on_map_phys(const message *m, int32_t code, const message *rep)
{
	struct shadow *s = target_of(m, m->u.map_phys.endpt);
	struct sh_obj *o;
	if (!s || code != VM_OK)
		return;
	if (!rep) {
		shadow_forget(s);
		if ((o = phys_obj()))
			o->vol = 1;
		return;
	}
	uint32_t a = rep->u.map_phys.reply & ~PAGE_MASK, frame = m->u.map_phys.phaddr & ~PAGE_MASK;
	struct attr at = { .content = CK_UNKNOWN, .vol = 1, .kind = K_WINDOW, .why = R_WINDOW, .rid = rid_new() };
	if ((o = phys_obj()))
		at.vol = 0, at.obj = obj_index(o), at.delta = frame - a;
	range_op(s, a, range_end(rep->u.map_phys.reply, m->u.map_phys.len), OP_FRESH, at);
}

/* ---- The block cache (MEMFX-06, -07) ---- */
static struct sh_cache *cache_find(int32_t dev, uint64_t off)
{
	for (uint32_t i = 0; i < sh.ncache; i++)
		if (sh.cache[i].dev == dev && sh.cache[i].off == off)
			return &sh.cache[i];
	return NULL;
}

/* Drop the entries of dev in [lo, hi) (a miss reads as unknown memory). */
static void cache_drop(int32_t dev, uint64_t lo, uint64_t hi)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < sh.ncache; i++)
		if (sh.cache[i].dev != dev || sh.cache[i].off < lo || sh.cache[i].off >= hi)
			sh.cache[k++] = sh.cache[i];
	sh.ncache = k;
}

/* Block (dev, off) is shared memory obj now (a full table forgets the block). */
static void cache_put(int32_t dev, uint64_t off, uint8_t obj)
{
	struct sh_cache *c = cache_find(dev, off);
	if (!c && sh.ncache < SH_MAX_CACHE)
		c = &sh.cache[sh.ncache++];
	if (c)
		*c = (struct sh_cache){ dev, off, obj };
}

/* Copy the words of [p, p + PAGE_SIZE) of s into block o (object address =
 * address); a volatile byte makes o volatile. */
static void block_words(const struct shadow *s, uint32_t p, struct sh_obj *o)
{
	struct sh_word w[SH_MAX_W];
	uint64_t pe = (uint64_t)p + PAGE_SIZE;
	for (uint32_t i = iv_find(s, p); i < s->niv && s->iv[i].start < pe; i++) {
		const struct sh_iv *v = &s->iv[i];
		uint64_t a = v->start > p ? v->start : p, e = iv_end(s, i) < pe ? iv_end(s, i) : pe;
		if (iv_volatile(v)) {
			o->vol = 1;
			return;
		}
		for (uint32_t k = 0, n = words_in(s, v, a, e, w, SH_MAX_W); k < n; k++)
			obj_word_set(o, w[k].addr, w[k].val);
	}
}

/* A new block holding what page p of s holds now: its words, and its content when
 * one private interval covers the page; NULL when no memory is left. */
static struct sh_obj *block_snapshot(const struct shadow *s, uint32_t p)
{
	struct sh_obj *o = obj_new(OB_CACHE, R_CACHE, VM_MAPCACHEPAGE);
	if (!o)
		return NULL;
	uint32_t i = iv_find(s, p);
	const struct sh_iv *v = &s->iv[i];
	o->base = p;
	o->owner = s->ep;
	o->content = CK_UNKNOWN;
	if (iv_end(s, i) >= (uint64_t)p + PAGE_SIZE && v->map == MS_MAPPED && !v->delta)
		o->content = v->content, o->img = v->img;
	block_words(s, p, o);
	return o;
}

/* VM_SETCACHEPAGE OK: block (dev, dev_offset + i) holds a copy of the caller's page
 * block + i as it is now (the first SH_MAP_PAGES pages; the rest are forgotten);
 * failed: the blocks it names may have changed, they are forgotten. */
static void on_setcache(const message *m, int32_t code)
{
	const struct vm_pl_setcachepage *q = &m->u.setcachepage;
	uint32_t n = q->pages < 0 ? 0 : (uint32_t)q->pages, known = n < SH_MAP_PAGES ? n : SH_MAP_PAGES;
	struct shadow *s = shadow_of(m->m_source);
	uint32_t phys;
	cache_drop(q->dev, q->dev_offset, q->dev_offset + (uint64_t)n * PAGE_SIZE);
	if (code != VM_OK || !s)
		return;
	for (uint32_t i = 0; i < known; i++) {
		uint32_t p = q->block + i * PAGE_SIZE;
		struct sh_obj *o = block_snapshot(s, p);
		if (!o)
			return;
		if (sh.plant == PL_CACHE && mmu_translate(s->ep, p, 0, &phys) == VM_OK)
			o->plant_phys = phys & ~PAGE_MASK;
		cache_put(q->dev, q->dev_offset + (uint64_t)i * PAGE_SIZE, obj_index(o));
	}
}

/* VM_MAPCACHEPAGE OK: page i of [addr, +pages) maps block (dev, dev_offset + i);
 * a block the model does not hold, or past SH_MAP_PAGES, is volatile; a lost reply
 * makes the blocks volatile and what may now be mapped unknown. */
static void on_mapcache(const message *m, int32_t code, const message *rep)
{
	const struct vm_pl_mapcachepage *q = &m->u.mapcachepage;
	uint32_t n = q->pages < 0 ? 0 : (uint32_t)q->pages;
	struct shadow *s = shadow_of(m->m_source);
	if (code != VM_OK || !s)
		return;
	if (!rep) {
		for (uint32_t i = 0; i < sh.ncache; i++)
			if (sh.cache[i].dev == q->dev && sh.cache[i].off >= q->dev_offset &&
			    sh.cache[i].off < q->dev_offset + (uint64_t)n * PAGE_SIZE)
				sh.obj[sh.cache[i].obj].vol = 1;
		forget_unmapped(s, 1);
		return;
	}
	uint16_t rid = rid_new();
	uint64_t a = rep->u.mapcachepage.addr, end = a + (uint64_t)n * PAGE_SIZE;
	struct attr lost = { .content = CK_UNKNOWN, .vol = 1, .kind = K_CACHE, .why = R_CACHE, .rid = rid };
	range_op(s, a, clip_end(end), OP_FRESH, lost);
	for (uint32_t i = 0; i < n && i < SH_MAP_PAGES && a + (uint64_t)(i + 1) * PAGE_SIZE <= SH_END; i++) {
		uint32_t p = (uint32_t)a + i * PAGE_SIZE;
		const struct sh_cache *c = cache_find(q->dev, q->dev_offset + (uint64_t)i * PAGE_SIZE);
		if (!c)
			continue;
		const struct sh_obj *o = &sh.obj[c->obj];
		range_op(s, p, (uint64_t)p + PAGE_SIZE, OP_FRESH,
			 (struct attr){ .content = o->content, .wprot = WP_RW, .img = o->img, .obj = c->obj,
					.delta = o->base - p, .kind = K_CACHE, .why = R_CACHE, .rid = rid });
	}
}

/* ---- PROCCTL, the RS calls, GETRUSAGE (MEMFX-08..12) ---- */
static void on_procctl(const message *m)
{
	struct shadow *s;
	if (m->u.procctl.param == VMPPARAM_HANDLEMEM)
		return; /* pages become present; no content changes */
	if (m->u.procctl.param != VMPPARAM_CLEAR) {
		forget_all();
		return;
	}
	if (!(s = target_of(m, m->u.procctl.who)))
		return;
	range_op(s, 0, SH_END, OP_UNMAPPED, (struct attr){ .why = R_CLEAR });
	s->heap_base = 0, s->heap_end = 0;
}

/* How a VM_RS_UPDATE ended: the code its requester got, which after the swap may be
 * sent to the other endpoint (VM_SUSPEND: not known). */
static int32_t update_code(const struct msg_seen *seen)
{
	int32_t c;
	if (seen->code != VM_SUSPEND)
		return seen->code;
	if ((c = out_code(seen->o, seen->m.u.rs_update.src)) != VM_SUSPEND)
		return c;
	return out_code(seen->o, seen->m.u.rs_update.dst);
}

static void swap_shadows(struct shadow *a, struct shadow *b)
{
	static struct shadow t;
	endpoint_t ea = a->ep, eb = b->ep;
	shadow_copy(&t, a);
	shadow_copy(a, b);
	shadow_copy(b, &t);
	a->ep = ea, b->ep = eb;
	blame_all(a, R_UPDATE);
	blame_all(b, R_UPDATE);
}

static void on_update(const struct msg_seen *seen)
{
	const message *m = &seen->m;
	int32_t code = update_code(seen);
	struct shadow *a, *b;
	if (code == VM_SUSPEND) {
		forget_all();
		return;
	}
	if (code != VM_OK)
		return;
	a = target_of(m, m->u.rs_update.src);
	b = target_of(m, m->u.rs_update.dst);
	if (a && b && a != b)
		swap_shadows(a, b);
	else if (a || b)
		shadow_forget(a ? a : b);
}

/* RS_PREPARE's mmaps: each anonymous mmap of src in the mmap range (a REMAP source
 * too) is copied into dst at the same address, copy-on-write (its words too);
 * anything else src maps that VM might take over (mmaps outside the range, windows,
 * aliases, cache mappings or unknown memory in it) is not known in dst, and shared
 * memory there is not known any more (dst may share it). */
static void prepare_mmaps(struct shadow *dst, const struct shadow *src)
{
	for (uint32_t i = 0; i < src->niv; i++) {
		const struct sh_iv *v = &src->iv[i];
		uint64_t a = v->start, e = iv_end(src, i);
		if (v->map == MS_UNMAPPED)
			continue;
		if (v->kind != K_MMAP) { /* only its part in the mmap range */
			a = a < MMAP_BASE ? MMAP_BASE : a;
			e = e > MMAP_TOP ? MMAP_TOP : e;
		}
		if (a >= e)
			continue;
		if (v->kind != K_MMAP || (v->obj && sh.obj[v->obj].kind != OB_SHARED) || iv_volatile(v) ||
		    v->map != MS_MAPPED || a < MMAP_BASE || e > MMAP_TOP) {
			if (v->obj) /* dst may share it now */
				sh.obj[v->obj].vol = 1;
			range_op(dst, a, e, OP_LOST, (struct attr){ .why = R_PREPARE });
			continue;
		}
		copy_private(dst, src, v, a, e, R_PREPARE);
	}
}

static void on_prepare(const message *m)
{
	struct shadow *src = target_of(m, m->u.rs_prepare.src), *dst = target_of(m, m->u.rs_prepare.dst);
	if (!dst)
		return;
	if (!src || src == dst) {
		shadow_forget(dst);
		return;
	}
	if (dst->heap_base && src->heap_base) {
		/* dst's heap may end below heap_end (an unmapped tail): grow from its base */
		uint64_t end = dst->heap_base + (src->heap_end - src->heap_base);
		heap_grow(dst, clip_end(end), R_PREPARE);
	} else
		forget_unmapped(dst, 0);
	if (!(m->u.rs_prepare.flags & SF_VM_NOMMAP))
		prepare_mmaps(dst, src);
}

static void on_memctl(const message *m, const message *rep)
{
	struct shadow *s = target_of(m, m->u.rs_memctl.endpt);
	switch (m->u.rs_memctl.req) {
	case VM_RS_MEM_PIN:
	case VM_RS_MEM_GET_PREALLOC_MAP:
		return;
	case VM_RS_MEM_HEAP_PREALLOC: /* the heap region's end + len */
		if (s && s->heap_base)
			heap_grow(s, range_end(s->heap_end, m->u.rs_memctl.len), R_PREALLOC);
		else if (s)
			forget_unmapped(s, 0);
		return;
	case VM_RS_MEM_MAP_PREALLOC:
		if (s && rep)
			range_op(s, rep->u.rs_memctl.addr, range_end(rep->u.rs_memctl.addr, rep->u.rs_memctl.len), OP_FRESH,
				 (struct attr){ .content = CK_ZERO, .wprot = WP_RW, .kind = K_MMAP, .why = R_PREALLOC });
		else if (s)
			forget_unmapped(s, 0);
		return;
	default:
		forget_all();
	}
}

/* GETRUSAGE from PM copies a struct vm_rusage_info into PM at addr; from anyone
 * else VM should refuse, and if it did not, what it wrote is unknown. */
static void on_rusage(const message *m)
{
	struct shadow *s = shadow_of(m->m_source);
	uint32_t a = m->u.getrusage.addr, len = sizeof(struct vm_rusage_info);
	if (!s)
		return;
	if (m->m_source == sh.pm_ep)
		copy_out(s, "VM_GETRUSAGE", a, len, m->m_source, R_RUSAGE);
	else
		range_op(s, a, clip_end((uint64_t)a + len), OP_OVERWRITTEN, NO_ATTR);
}

/* A call the cases above do not name succeeded: its memory effect, or (a call the
 * model does not describe) every shadow is forgotten. */
static void on_success(const message *m, const message *rep)
{
	struct shadow *s;
	switch (m->m_type) {
	case VM_SHM_UNMAP:
		if ((s = target_of(m, m->u.shm_unmap.forwhom)))
			unmap_region(s, m->u.shm_unmap.addr, 1u << K_ALIAS | 1u << K_CACHE, R_SHM_UNMAP);
		break;
	case VM_UNMAP_PHYS:
		if ((s = target_of(m, m->u.unmap_phys.endpt)))
			unmap_region(s, m->u.unmap_phys.vaddr, 1u << K_WINDOW, R_UNMAP_PHYS);
		break;
	case VM_FORGETCACHEPAGE:
		cache_drop(m->u.forgetcachepage.dev, m->u.forgetcachepage.dev_offset,
			   m->u.forgetcachepage.dev_offset + (uint64_t)(uint32_t)m->u.forgetcachepage.pages * PAGE_SIZE);
		break;
	case VM_CLEARCACHE:
		cache_drop(m->u.clearcache.dev, 0, UINT64_MAX);
		break;
	case VM_PROCCTL:
		on_procctl(m);
		break;
	case VM_RS_PREPARE:
		on_prepare(m);
		break;
	case VM_RS_MEMCTL:
		on_memctl(m, rep);
		break;
	case VM_GETRUSAGE:
		on_rusage(m);
		break;
	default:
		forget_all();
		break;
	}
}

/* Calls whose handler below also models what they did when left unanswered
 * (VM_SUSPEND): the memory rules' calls, RS_UPDATE (its requester may get the reply
 * after the swap), and the calls that change no memory. */
static int models_suspend(int32_t type)
{
	switch (type) {
	case VM_MMAP:
	case VM_MUNMAP:
	case VM_BRK:
	case VM_FORK:
	case VM_INFO:
	case VM_MAP_PHYS:
	case VM_UNMAP_PHYS:
	case VM_RS_UPDATE:
	case VM_EXIT: /* the endpoint is dead: its shadow is never used again */
	case VM_WILLEXIT:
	case VM_PAGEFAULT:
	case NOTIFY_MESSAGE:
	case VM_GETPHYS:
	case VM_GETREF:
	case VM_RS_SET_PRIV:
		return 1;
	}
	return 0;
}

static void shadow_after_msg(const struct run_ctx *x, const struct msg_seen *seen)
{
	const message *m = &seen->m, *rep = seen->rep;
	int32_t code = seen->code;
	struct shadow *s;
	(void)x;
	if (!seen->r)
		return;
	plant_after_msg(m, code, rep);
	if (!seen->was_live)
		return; /* dropped unseen */
	if (code == VM_SUSPEND && !models_suspend(m->m_type)) {
		if (call_by_type(m->m_type) >= 0) /* left unanswered: what it did is not known */
			forget_all();
		return;
	}
	switch (m->m_type) {
	/* The memory rules (kind memory). */
	case VM_MMAP:
		on_mmap(m, code, rep);
		break;
	case VM_MUNMAP:
		if ((s = shadow_of(m->m_source)))
			range_op(s, m->u.munmap.addr, range_end(m->u.munmap.addr, m->u.munmap.len),
				 code == VM_OK ? OP_UNMAPPED : OP_UNKNOWN, NO_ATTR);
		break;
	case VM_BRK:
		on_brk(m, code);
		break;
	case VM_FORK:
		on_fork(m, code, rep);
		break;
	case VM_INFO:
		on_info(m, code, rep);
		break;
	/* The memory effects (kind model, MEMFX-*). */
	case VM_REMAP:
	case VM_REMAP_RO:
		on_remap(m, code, rep);
		break;
	case VM_MAP_PHYS:
		on_map_phys(m, code, rep);
		break;
	case VM_SETCACHEPAGE:
		on_setcache(m, code);
		break;
	case VM_MAPCACHEPAGE:
		on_mapcache(m, code, rep);
		break;
	case VM_RS_UPDATE:
		on_update(seen);
		break;
	case VM_EXIT:
	case VM_WILLEXIT:
	case VM_PAGEFAULT:
	case NOTIFY_MESSAGE:
	case VM_GETPHYS:
	case VM_GETREF:
	case VM_RS_SET_PRIV:
		break;
	default: /* the rest change memory only when they succeed */
		if (code == VM_OK)
			on_success(m, rep);
		break;
	}
}

const struct oracle memory_oracle = {
	.name = "memory",
	.begin = shadow_begin,
	.before_msg = shadow_before_msg,
	.after_msg = shadow_after_msg,
	.before_access = shadow_before_access,
	.access = shadow_access,
};
