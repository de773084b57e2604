/* space.c - the model's address spaces: extents, present-page runs, frames and
 * reference counts, and the address-space operations the core calls (boot, fork copy,
 * exit, live-update swap, prefault for VM's own copies, RS_MEMCTL and RS_PREPARE).
 * See space.h for the representation.  Written from the protocol (the MINIX fact
 * sheet sections 7.2 and 8, include/layout.h, the README's deviations), never from
 * vm/'s code. */
#include <string.h>
#include "model.h"
#include "layout.h"

#define SG (mdl.sg)

static void runs_cut(struct mspace *as, uint64_t a, uint64_t e);

static uint64_t up64(uint64_t x)
{
	return (x + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
}

const char *ms_kind_name(int kind)
{
	static const char *const name[MK_NKINDS] = { "none", "text", "data", "stack", "anon",
						     "alias", "phys", "cache" };
	return kind >= 0 && kind < MK_NKINDS ? name[kind] : "?";
}

/* ---- Extents ---- */
int ms_ext_at(const struct mspace *as, uint32_t addr)
{
	for (uint32_t i = 0; i < as->n; i++) {
		if (addr < as->ext[i].start)
			return -1;
		if (addr < as->ext[i].end)
			return (int)i;
	}
	return -1;
}

int ms_range_free(const struct mspace *as, uint64_t a, uint64_t e)
{
	for (uint32_t i = 0; i < as->n; i++)
		if (as->ext[i].start < e && as->ext[i].end > a)
			return 0;
	return 1;
}

int ms_hole(const struct mspace *as, uint64_t lo, uint64_t hi, uint64_t len, uint32_t *at)
{
	uint64_t a = up64(lo);
	if (len == 0)
		return 0;
	for (uint32_t i = 0; i <= as->n; i++) {
		uint64_t next = i < as->n ? as->ext[i].start : MS_END;
		if (next > hi)
			next = hi;
		if (a + len <= next) {
			*at = (uint32_t)a;
			return 1;
		}
		if (i < as->n && as->ext[i].end > a)
			a = as->ext[i].end;
		if (a >= hi)
			return 0;
	}
	return 0;
}

struct mext *ms_insert(struct mspace *as, uint32_t start, uint32_t end, int kind, int wr)
{
	uint32_t i = 0;
	if (as->n == MS_MAX_EXT) {
		as->lost = 1;
		return NULL;
	}
	while (i < as->n && as->ext[i].start < start)
		i++;
	memmove(&as->ext[i + 1], &as->ext[i], (as->n - i) * sizeof as->ext[0]);
	as->n++;
	memset(&as->ext[i], 0, sizeof as->ext[i]);
	as->ext[i].start = start;
	as->ext[i].end = end;
	as->ext[i].kind = (uint8_t)kind;
	as->ext[i].wr = (uint8_t)(wr != 0);
	return &as->ext[i];
}

void ms_remove_ext(struct mspace *as, int i)
{
	struct mext *x = &as->ext[i];
	runs_cut(as, x->start, x->end); /* the extent's pages go with it */
	if (as->heap_start >= x->start && as->heap_start < x->end)
		as->heap_lost = 1;
	memmove(&as->ext[i], &as->ext[i + 1], (as->n - (uint32_t)i - 1) * sizeof as->ext[0]);
	as->n--;
}

/* The part [s, t) of extent x, taken from it: the fields that depend on the start
 * (a window's frame and frame id, an alias's source page) follow. */
static void ext_trim_front(struct mext *x, uint32_t s)
{
	uint32_t pages = (s - x->start) >> PAGE_SHIFT;
	if (x->kind == MK_PHYS) {
		x->frame += pages << PAGE_SHIFT;
		x->fid += pages;
	}
	if (x->kind == MK_ALIAS)
		x->srcpg += pages;
	x->start = s;
}

/* Extent x lost part of itself: a REMAP source that does not stay whole has no
 * aliases the model can follow any more (VM names a source by its whole region), but
 * what is left of it, every piece, is still shared memory for as long as it lives
 * (README: SETCACHEPAGE refuses a region that has been a REMAP source; its pages are
 * written in place): MX_SHSRC stays, the link goes. */
static void ext_partial(struct mext *x)
{
	if (x->flags & MX_SHSRC)
		x->link = 0;
}

void ms_remove(struct mspace *as, uint64_t a, uint64_t e)
{
	if (a >= e)
		return;
	if (as->heap_start && as->heap_start >= a && as->heap_start < e)
		as->heap_lost = 1;
	for (uint32_t i = 0; i < as->n;) {
		struct mext *x = &as->ext[i];
		if (x->end <= a || x->start >= e) {
			i++;
			continue;
		}
		if (x->start >= a && x->end <= e) { /* whole */
			ms_remove_ext(as, (int)i);
			continue;
		}
		ext_partial(x);
		if (x->start < a && x->end > e) { /* a hole in the middle: split */
			struct mext right = *x;
			ext_trim_front(&right, (uint32_t)e);
			x->end = (uint32_t)a;
			if (as->n == MS_MAX_EXT) {
				as->lost = 1;
				return;
			}
			memmove(&as->ext[i + 2], &as->ext[i + 1], (as->n - i - 1) * sizeof as->ext[0]);
			as->ext[i + 1] = right;
			as->n++;
			i += 2;
		} else if (x->start < a) { /* high part goes */
			x->end = (uint32_t)a;
			i++;
		} else { /* low part goes */
			ext_trim_front(x, (uint32_t)e);
			i++;
		}
	}
	runs_cut(as, a, e);
}

/* ---- Runs ---- */
static void runs_cut(struct mspace *as, uint64_t a, uint64_t e)
{
	for (uint32_t i = 0; i < as->nrun;) {
		struct mrun *r = &as->run[i];
		uint64_t rs = r->va, re = (uint64_t)r->va + ((uint64_t)r->n << PAGE_SHIFT);
		if (re <= a || rs >= e) {
			i++;
			continue;
		}
		if (rs >= a && re <= e) {
			memmove(&as->run[i], &as->run[i + 1], (as->nrun - i - 1) * sizeof as->run[0]);
			as->nrun--;
			continue;
		}
		if (rs < a && re > e) {
			struct mrun right = *r;
			uint32_t skip = (uint32_t)((e - rs) >> PAGE_SHIFT);
			right.va = (uint32_t)e;
			right.n = r->n - skip;
			if (right.fid)
				right.fid += skip;
			if (right.phys)
				right.phys += skip << PAGE_SHIFT;
			r->n = (uint32_t)((a - rs) >> PAGE_SHIFT);
			if (as->nrun == MS_MAX_RUN) {
				as->runs_lost = 1;
				SG.refs_lost = 1;
				return;
			}
			memmove(&as->run[i + 2], &as->run[i + 1], (as->nrun - i - 1) * sizeof as->run[0]);
			as->run[i + 1] = right;
			as->nrun++;
			i += 2;
		} else if (rs < a) {
			r->n = (uint32_t)((a - rs) >> PAGE_SHIFT);
			i++;
		} else {
			uint32_t skip = (uint32_t)((e - rs) >> PAGE_SHIFT);
			r->va = (uint32_t)e;
			r->n -= skip;
			if (r->fid)
				r->fid += skip;
			if (r->phys)
				r->phys += skip << PAGE_SHIFT;
			i++;
		}
	}
}

void ms_run_set(struct mspace *as, uint32_t va, uint32_t n, uint32_t fid, uint32_t phys)
{
	uint32_t i = 0;
	if (n == 0)
		return;
	runs_cut(as, va, (uint64_t)va + ((uint64_t)n << PAGE_SHIFT));
	if (as->nrun == MS_MAX_RUN) {
		as->runs_lost = 1;
		SG.refs_lost = 1;
		return;
	}
	while (i < as->nrun && as->run[i].va < va)
		i++;
	memmove(&as->run[i + 1], &as->run[i], (as->nrun - i) * sizeof as->run[0]);
	as->run[i] = (struct mrun){ va, n, fid, phys };
	as->nrun++;
}

int ms_page(const struct mspace *as, uint32_t va, uint32_t *fid, uint32_t *phys)
{
	va &= ~PAGE_MASK;
	if (as->lost || as->runs_lost)
		return -1;
	for (uint32_t i = 0; i < as->nrun; i++) {
		const struct mrun *r = &as->run[i];
		uint32_t k;
		if (va < r->va)
			break;
		k = (va - r->va) >> PAGE_SHIFT;
		if (k >= r->n)
			continue;
		if (!r->fid)
			return -1;
		*fid = r->fid + k;
		*phys = r->phys ? r->phys + (k << PAGE_SHIFT) : 0;
		return 1;
	}
	return 0;
}

uint32_t ms_fresh(uint32_t n)
{
	uint32_t f = SG.next_fid + 1;
	SG.next_fid += n;
	return f;
}

void ms_ufid(uint32_t fid)
{
	for (uint32_t i = 0; i < SG.nufid; i++)
		if (SG.ufid[i] == fid)
			return;
	if (SG.nufid == MUFID_MAX) {
		SG.refs_lost = 1;
		return;
	}
	SG.ufid[SG.nufid++] = fid;
}

/* Is fid's reference count among the lost ones? */
static int fid_lost(uint32_t fid)
{
	for (uint32_t i = 0; i < SG.nufid; i++)
		if (SG.ufid[i] == fid)
			return 1;
	return 0;
}

/* The live address spaces (VM itself has none). */
static struct mspace *space_at(int32_t slot)
{
	struct mproc *p = &mdl.proc[slot];
	return mslot_live(slot) && !p->is_vm && p->as.used ? &p->as : NULL;
}

int ms_refcount(uint32_t fid)
{
	int n = 0;
	if (!fid || SG.refs_lost || fid_lost(fid))
		return -1;
	for (int32_t s = 0; s < NR_PROCS; s++) {
		const struct mspace *as = space_at(s);
		if (!as)
			continue;
		if (as->lost || as->runs_lost)
			return -1;
		for (uint32_t i = 0; i < as->nrun; i++) {
			const struct mrun *r = &as->run[i];
			if (!r->fid) {
				continue;
			}
			if (fid >= r->fid && fid - r->fid < r->n)
				n++;
		}
	}
	for (uint32_t i = 0; i < SG.ncache; i++)
		if (SG.cache[i].used && SG.cache[i].fid == fid) {
			if (SG.cache_lossy)
				return -1; /* VM may have evicted it */
			n++;
		}
	return n;
}

int ms_learnt(uint32_t fid, uint32_t *phys)
{
	for (uint32_t i = 0; i < SG.nlearn; i++)
		if (SG.learn[i].fid == fid) {
			*phys = SG.learn[i].phys;
			return 1;
		}
	return 0;
}

void ms_learn(uint32_t fid, uint32_t phys)
{
	uint32_t old;
	if (!fid || ms_learnt(fid, &old) || SG.nlearn == MLEARN_MAX)
		return;
	SG.learn[SG.nlearn].fid = fid;
	SG.learn[SG.nlearn].phys = phys;
	SG.nlearn++;
}

/* Forget the physical address learnt for fid. */
static void unlearn(uint32_t fid)
{
	for (uint32_t i = 0; i < SG.nlearn; i++)
		if (SG.learn[i].fid == fid) {
			SG.learn[i] = SG.learn[--SG.nlearn];
			return;
		}
}

struct mext *ms_link_src(uint32_t link, struct mspace **sp)
{
	if (!link)
		return NULL;
	for (int32_t s = 0; s < NR_PROCS; s++) {
		struct mspace *as = space_at(s);
		if (!as || as->lost)
			continue;
		for (uint32_t i = 0; i < as->n; i++)
			if ((as->ext[i].flags & MX_SHSRC) && as->ext[i].link == link) {
				*sp = as;
				return &as->ext[i];
			}
	}
	return NULL;
}

/* Private memory (copied on write after fork), as opposed to shared memory. */
static int kind_private(int kind)
{
	return kind == MK_TEXT || kind == MK_DATA || kind == MK_STACK || kind == MK_ANON;
}

/* Does a cache entry hold frame fid? */
static int cache_holds(uint32_t fid)
{
	for (uint32_t i = 0; i < SG.ncache; i++)
		if (SG.cache[i].used && SG.cache[i].fid == fid)
			return 1;
	return 0;
}

/* A write to shared memory (an alias, a cache mapping, a REMAP source) whose frame fid
 * private copy-on-write sharers also map: they move to their own copy (writes through
 * the shared mapping must not show in them).  One sharer gets an exact fresh frame;
 * with several the model cannot tell whether they share one copy: their counts are
 * lost.  The physical address of the shared frame is forgotten (which side keeps the
 * old page is VM's choice).  So when the cache holds the frame, its hold stays with
 * the old page on whichever side VM left it: the counts of both sides are lost (a
 * SETCACHEPAGE of the private side's page may then be refused as a page of count 2,
 * or accepted). */
static void split_private(uint32_t fid)
{
	uint32_t moved = 0, first = 0;
	int cached = cache_holds(fid);
	unlearn(fid);
	for (int32_t s = 0; s < NR_PROCS; s++) {
		struct mspace *as = space_at(s);
		if (!as)
			continue;
		for (uint32_t i = 0; i < as->n; i++) {
			const struct mext *x = &as->ext[i];
			if (!kind_private(x->kind) || (x->flags & MX_SHSRC))
				continue;
			for (uint32_t va = x->start; va < x->end; va += PAGE_SIZE) {
				uint32_t f, ph;
				if (ms_page(as, va, &f, &ph) != 1 || f != fid)
					continue;
				uint32_t nf = ms_fresh(1);
				ms_run_set(as, va, 1, nf, 0);
				if (moved++ == 0)
					first = nf;
				else
					ms_ufid(nf);
			}
		}
	}
	if (moved > 1 || (moved && cached))
		ms_ufid(first);
	if (moved && cached)
		ms_ufid(fid);
	/* the shared side's pages stay, their physical address unknown now */
	for (int32_t s = 0; s < NR_PROCS; s++) {
		struct mspace *as = space_at(s);
		if (!as || !moved)
			continue;
		for (uint32_t i = 0; i < as->nrun; i++) {
			struct mrun *r = &as->run[i];
			if (r->fid && r->phys && fid >= r->fid && fid - r->fid < r->n) {
				uint32_t k = fid - r->fid;
				uint32_t va = r->va + (k << PAGE_SHIFT);
				ms_run_set(as, va, 1, fid, 0);
				break;
			}
		}
	}
}

int ms_touch_ok(const struct mspace *as, uint32_t va, int write)
{
	int i;
	if (as->lost)
		return -1;
	i = ms_ext_at(as, va);
	if (i < 0)
		return 0;
	if (write && !as->ext[i].wr)
		return 0;
	if (as->ext[i].kind == MK_ALIAS) {
		uint32_t f, ph;
		struct mspace *sp;
		if (ms_page(as, va, &f, &ph) == 1)
			return 1;
		if (!ms_link_src(as->ext[i].link, &sp))
			return -1; /* the source is gone: VM's answer is its choice */
	}
	return 1;
}

/* Alias page va (extent x of as) is faulted in: the source's page, made present in the
 * source first, is linked. */
static void touch_alias(struct mspace *as, const struct mext *x, uint32_t va)
{
	struct mspace *sp;
	struct mext *src = ms_link_src(x->link, &sp);
	uint32_t f, ph, sva;
	if (!src) {
		ms_run_set(as, va, 1, 0, 0);
		return;
	}
	sva = src->start + ((x->srcpg + ((va - x->start) >> PAGE_SHIFT)) << PAGE_SHIFT);
	if (sva >= src->end) {
		ms_run_set(as, va, 1, 0, 0);
		return;
	}
	if (ms_page(sp, sva, &f, &ph) == 0) {
		f = ms_fresh(1);
		ph = 0;
		ms_run_set(sp, sva, 1, f, 0);
	} else if (ms_page(sp, sva, &f, &ph) != 1) {
		ms_run_set(as, va, 1, 0, 0);
		return;
	}
	ms_run_set(as, va, 1, f, ph);
}

void ms_touch(struct mspace *as, uint32_t va, int write)
{
	uint32_t f, ph;
	int i, st;
	va &= ~PAGE_MASK;
	if (as->lost)
		return;
	i = ms_ext_at(as, va);
	if (i < 0)
		return;
	const struct mext *x = &as->ext[i];
	st = ms_page(as, va, &f, &ph);
	if (st < 0)
		return;
	switch (x->kind) {
	case MK_PHYS: /* device memory: page i is frame + i, shared, never copied */
		if (st == 0) {
			uint32_t k = (va - x->start) >> PAGE_SHIFT;
			ms_run_set(as, va, 1, x->fid + k, x->frame + (k << PAGE_SHIFT));
		}
		return;
	case MK_ALIAS:
		if (st == 0) {
			touch_alias(as, x, va);
			st = ms_page(as, va, &f, &ph);
		}
		if (st == 1 && write)
			split_private(f);
		return;
	case MK_CACHE:
		if (st == 1 && write)
			split_private(f);
		return;
	default:
		break;
	}
	if (st == 0) { /* demand-zero */
		ms_run_set(as, va, 1, ms_fresh(1), 0);
		return;
	}
	if (!write)
		return;
	if (x->flags & MX_SHSRC) { /* a REMAP source is shared memory */
		split_private(f);
		return;
	}
	int rc = ms_refcount(f);
	if (rc == 1)
		return;            /* private already: written in place */
	ms_run_set(as, va, 1, ms_fresh(1), 0); /* copy-on-write (or a count the model lost) */
}

/* ---- The operations model.h declares ---- */
void space_reset(void)
{
	memset(&SG, 0, sizeof SG);
}

void space_boot(struct mspace *as, const struct boot_proc *bp)
{
	memset(as, 0, sizeof *as);
	as->used = 1;
	for (uint32_t j = 0; j < bp->nsegs && j < BOOT_MAX_SEGS; j++) {
		const struct boot_seg *sg = &bp->seg[j];
		uint32_t s = sg->vaddr & ~PAGE_MASK;
		uint64_t e = up64((uint64_t)sg->vaddr + sg->memsz);
		struct mext *x;
		if (e > USER_TOP || s < USER_BASE || e <= s || !ms_range_free(as, s, e)) {
			as->lost = 1;
			return;
		}
		x = ms_insert(as, s, (uint32_t)e, (sg->flags & SEG_W) ? MK_DATA : MK_TEXT, (sg->flags & SEG_W) != 0);
		if (!x)
			return;
		uint32_t n = (uint32_t)((e - s) >> PAGE_SHIFT);
		ms_run_set(as, s, n, ms_fresh(n), sg->phys ? (sg->phys & ~PAGE_MASK) : 0);
		if (sg->flags & SEG_W)
			as->heap_start = s;
	}
	if (bp->stack_size) {
		uint64_t e = bp->stack_top, s = e - bp->stack_size;
		if (bp->stack_size > bp->stack_top || e > USER_TOP || (s & PAGE_MASK) || (e & PAGE_MASK) ||
		    !ms_range_free(as, s, e)) {
			as->lost = 1;
			return;
		}
		ms_insert(as, (uint32_t)s, (uint32_t)e, MK_STACK, 1);
	}
}

/* See model.h: the space is lost, never judged again. */
void space_forget(struct mspace *as)
{
	as->used = 1;
	as->lost = 1;
}

void space_lose_presence(struct mspace *as)
{
	as->runs_lost = 1;
}

/* See model.h: fork shares every present frame; a REMAP source's copy is private. */
void space_copy(struct mspace *dst, const struct mspace *src)
{
	*dst = *src;
	for (uint32_t i = 0; i < dst->n; i++)
		if (dst->ext[i].flags & MX_SHSRC) { /* the child's copy is private */
			dst->ext[i].flags &= (uint8_t)~MX_SHSRC;
			dst->ext[i].link = 0;
		}
}

/* See model.h: no extent left, no heap (the process itself stays). */
void space_clear(struct mspace *as)
{
	memset(as, 0, sizeof *as);
	as->used = 1;
}

void space_swap(struct mspace *a, struct mspace *b)
{
	struct mspace t = *a;
	*a = *b;
	*b = t;
}

int space_prefault_check(const struct mspace *as, uint32_t addr, uint32_t len, int write)
{
	uint64_t e = (uint64_t)addr + len;
	int unknown = 0;
	if (len == 0)
		return VM_OK;
	if (e > MS_END)
		return VM_EFAULT;
	if (as->lost)
		return MS_UNKNOWN;
	for (uint64_t va = addr & ~PAGE_MASK; va < e; va += PAGE_SIZE) {
		int ok = ms_touch_ok(as, (uint32_t)va, write);
		if (ok == 0)
			return VM_EFAULT;
		if (ok < 0)
			unknown = 1;
	}
	return unknown ? MS_UNKNOWN : VM_OK;
}

void space_prefault(struct mspace *as, uint32_t addr, uint32_t len, int write)
{
	uint64_t e = (uint64_t)addr + len;
	if (len == 0 || e > MS_END)
		return;
	for (uint64_t va = addr & ~PAGE_MASK; va < e; va += PAGE_SIZE)
		ms_touch(as, (uint32_t)va, write);
}

void space_prefault_refused(struct mspace *as, uint32_t addr, uint32_t len, int write)
{
	uint64_t e = (uint64_t)addr + len;
	if (len == 0 || e > MS_END || as->lost)
		return;
	for (uint64_t va = addr & ~PAGE_MASK; va < e && ms_touch_ok(as, (uint32_t)va, write) == 1; va += PAGE_SIZE)
		ms_touch(as, (uint32_t)va, write);
}

void space_clobber(struct mspace *as, uint32_t addr, uint32_t len)
{
	(void)as; /* contents are the memory oracle's; presence came with the prefault */
	(void)addr;
	(void)len;
}

int ms_heap(const struct mspace *as)
{
	int i;
	if (as->lost || as->heap_lost || !as->heap_start)
		return -1;
	i = ms_ext_at(as, as->heap_start);
	return i >= 0 && as->ext[i].kind == MK_DATA ? i : -1;
}

/* RS_MEMCTL HEAP_PREALLOC (FS §5: real_brk(end of data + len)): the heap region grows
 * from its current end by len, page-rounded; the new pages are present at once.  (The
 * contract in model.h says "above the start of its data region": VM, like MINIX, grows
 * from the end.)  The new end, or 0 when it wraps or passes USER_TOP. */
static uint64_t heap_prealloc_end(const struct mspace *as, int h, uint32_t len)
{
	uint64_t e = up64((uint64_t)as->ext[h].end + len);
	return e > USER_TOP ? 0 : e;
}

int space_heap_prealloc_check(const struct mspace *as, uint32_t len)
{
	int h = ms_heap(as);
	uint64_t e;
	if (h < 0)
		return MS_UNKNOWN;
	e = heap_prealloc_end(as, h, len);
	if (!e || !ms_range_free(as, as->ext[h].end, e))
		return VM_ENOMEM;
	return VM_OK;
}

void space_heap_prealloc(struct mspace *as, uint32_t len)
{
	int h = ms_heap(as);
	uint64_t e;
	uint32_t old, n;
	if (h < 0)
		return;
	e = heap_prealloc_end(as, h, len);
	old = as->ext[h].end;
	if (!e || e <= old) {
		as->lost = 1;
		return;
	}
	as->ext[h].end = (uint32_t)e;
	n = (uint32_t)((e - old) >> PAGE_SHIFT);
	ms_run_set(as, old, n, ms_fresh(n), 0);
}

int space_map_prealloc_check(const struct mspace *as, uint32_t len)
{
	uint64_t l = up64(len);
	uint32_t at;
	if (as->lost)
		return MS_UNKNOWN;
	if (l == 0 || l > USER_TOP - USER_BASE)
		return VM_ENOMEM;
	if (ms_hole(as, MMAP_BASE, MMAP_TOP, l, &at))
		return VM_OK;
	if (ms_hole(as, USER_BASE, USER_TOP, l, &at))
		return MS_UNKNOWN;
	return VM_ENOMEM;
}

int space_place_ok(const struct mspace *as, uint32_t addr, uint32_t len)
{
	uint64_t e = up64((uint64_t)addr + len);
	if (as->lost)
		return -1;
	if ((addr & PAGE_MASK) || addr < USER_BASE || e > USER_TOP || len == 0)
		return 0;
	return ms_range_free(as, addr, e);
}

void space_map_prealloc(struct mspace *as, uint32_t addr, uint32_t len)
{
	uint64_t e = up64((uint64_t)addr + len);
	uint32_t n;
	if (as->lost || (addr & PAGE_MASK) || e > USER_TOP || !ms_range_free(as, addr, e)) {
		as->lost = 1;
		return;
	}
	if (!ms_insert(as, addr, (uint32_t)e, MK_ANON, 1))
		return;
	n = (uint32_t)((e - addr) >> PAGE_SHIFT);
	ms_run_set(as, addr, n, ms_fresh(n), 0);
}

/* RS_PREPARE: dst's heap end after growing to src's heap length (0: unknown). */
static uint64_t prepare_heap_end(const struct mspace *dst, const struct mspace *src)
{
	int hd = ms_heap(dst), hs = ms_heap(src);
	if (hd < 0 || hs < 0)
		return 0;
	return (uint64_t)dst->heap_start + (src->ext[hs].end - src->heap_start);
}

/* Which extents of the old instance RS_PREPARE shares: its anonymous memory in the
 * mmap range [MMAP_BASE, MMAP_TOP) (fact sheet 5: map_proc_dyn_data).  1 shared, 0
 * not, -1 unknown: whether a region that crosses the range's border (or a boot
 * region that reaches into it) counts is VM's choice. */
static int prepare_shares(const struct mext *x)
{
	if (!kind_private(x->kind) || x->end <= MMAP_BASE || x->start >= MMAP_TOP)
		return 0;
	return x->kind == MK_ANON && x->start >= MMAP_BASE && x->end <= MMAP_TOP ? 1 : -1;
}

int space_prepare_check(const struct mspace *dst, const struct mspace *src, int nommap)
{
	uint64_t e = prepare_heap_end(dst, src);
	int hd = ms_heap(dst), unknown = 0;
	if (dst->lost || src->lost || !e)
		return MS_UNKNOWN;
	if (e > dst->ext[hd].end && (e > USER_TOP || !ms_range_free(dst, dst->ext[hd].end, e)))
		return VM_ENOMEM;
	if (nommap)
		return VM_OK;
	for (uint32_t i = 0; i < src->n; i++) {
		const struct mext *x = &src->ext[i];
		int sh = prepare_shares(x);
		if (sh < 0)
			unknown = 1;
		if (sh <= 0)
			continue;
		if (!ms_range_free(dst, x->start, x->end))
			return VM_ENOMEM;
		if (e > dst->ext[hd].end && x->start < e && x->end > dst->ext[hd].end)
			return VM_ENOMEM;
	}
	return unknown ? MS_UNKNOWN : VM_OK;
}

void space_prepare(struct mspace *dst, const struct mspace *src, int nommap)
{
	uint64_t e = prepare_heap_end(dst, src);
	int hd = ms_heap(dst);
	if (dst->lost || src->lost || !e) {
		dst->lost = 1;
		return;
	}
	if (e > dst->ext[hd].end && e <= USER_TOP)
		dst->ext[hd].end = (uint32_t)e;
	if (!nommap)
		for (uint32_t i = 0; i < src->n; i++) {
			const struct mext *x = &src->ext[i];
			struct mext *y;
			if (prepare_shares(x) != 1 || !ms_range_free(dst, x->start, x->end))
				continue;
			y = ms_insert(dst, x->start, x->end, MK_ANON, x->wr);
			if (!y)
				return;
			for (uint32_t r = 0; r < src->nrun; r++) { /* shared copy-on-write */
				const struct mrun *run = &src->run[r];
				uint64_t rs = run->va, re = rs + ((uint64_t)run->n << PAGE_SHIFT);
				uint64_t a = rs > x->start ? rs : x->start, b = re < x->end ? re : x->end;
				uint32_t skip;
				if (a >= b)
					continue;
				skip = (uint32_t)((a - rs) >> PAGE_SHIFT);
				ms_run_set(dst, (uint32_t)a, (uint32_t)((b - a) >> PAGE_SHIFT),
					   run->fid ? run->fid + skip : 0, run->phys ? run->phys + (skip << PAGE_SHIFT) : 0);
			}
		}
}
