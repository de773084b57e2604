/* cost.c - how many pages a request may make VM allocate besides the memory it asks
 * for (docs/model.md, "Memory shortage"): below that many free pages, ENOMEM is a
 * right answer.  Derived from what any VM must keep for what the request creates,
 * never from vm/'s state:
 *   a region       an object and a page map whose top table has a pointer per MiB of
 *                  the region's length (slab-sized when small, else whole pages);
 *   held pages     a page-map leaf per MiB of a region that holds pages (charged a
 *                  page each: a leaf may fill a slab page) and a reference object per
 *                  page (REF_PER_PAGE to a slab page);
 *   mapped pages   a page table per 4 MiB of address space they are mapped in (at
 *                  most one per page).
 * Every function returns pages and never overflows (the sums stay below 2^32 for
 * lengths below 4 GiB).  Freestanding. */
#include <stdint.h>
#include "model.h"
#include "layout.h"

#define MIB_SHIFT     20
#define TOP_PTR_BYTES 8   /* a top-table pointer on a 64-bit host */
#define TOP_SLAB_MAX  2048 /* a top table up to this size is a slab object */
#define REF_PER_PAGE  32  /* reference objects on one slab page, at the least */

/* The number of `1 << shift`-byte units [a, e) touches (0 when empty). */
static uint32_t units(uint64_t a, uint64_t e, int shift)
{
	return e > a ? (uint32_t)(((e - 1) >> shift) - (a >> shift) + 1) : 0;
}

/* A region of len bytes: its object (a slab page at most) and its page map's top
 * table; twice the table while a growing map is copied (brk). */
uint32_t mcost_region(uint64_t len)
{
	uint64_t top = ((len + (1u << MIB_SHIFT) - 1) >> MIB_SHIFT) * TOP_PTR_BYTES;
	return 1 + (top <= TOP_SLAB_MAX ? 1 : (uint32_t)((top + PAGE_MASK) >> PAGE_SHIFT));
}

/* Pages the model knows present in [a, e) of as, or UINT32_MAX when it cannot tell. */
static uint32_t present_pages(const struct mspace *as, uint64_t a, uint64_t e)
{
	uint64_t n = 0;
	if (!as || as->lost || as->runs_lost)
		return UINT32_MAX;
	for (uint32_t i = 0; i < as->nrun; i++) {
		uint64_t lo = as->run[i].va, hi = lo + ((uint64_t)as->run[i].n << PAGE_SHIFT);
		if (as->run[i].fid == 0)
			return UINT32_MAX;
		if (lo < a)
			lo = a;
		if (hi > e)
			hi = e;
		if (hi > lo)
			n += (hi - lo) >> PAGE_SHIFT;
	}
	return n > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)n;
}

/* Held pages of [a, e) moved or copied to a new region: a leaf per MiB that may hold
 * one and a reference object per page (pages present as the model knows them, else
 * every page of the range). */
uint32_t mcost_held(const struct mspace *as, uint64_t a, uint64_t e)
{
	uint32_t mib = units(a, e, MIB_SHIFT), n = present_pages(as, a, e);
	if (n == UINT32_MAX)
		n = units(a, e, PAGE_SHIFT);
	return (n < mib ? n : mib) + n / REF_PER_PAGE + (n > 0);
}

/* Page tables for mappings in [a, e). */
uint32_t mcost_pt(uint64_t a, uint64_t e)
{
	return units(a, e, 22);
}

/* Taking [a, e) out of as (munmap, MAP_FIXED): the extent that goes on past e is cut
 * in two, and its upper part becomes a new region holding that part's pages. */
uint32_t mcost_cut(const struct mspace *as, uint64_t a, uint64_t e)
{
	if (!as || as->lost)
		return mcost_region(USER_TOP) + units(USER_BASE, USER_TOP, MIB_SHIFT);
	for (uint32_t i = 0; i < as->n; i++) {
		const struct mext *x = &as->ext[i];
		if (x->start < e && x->end > e)
			return mcost_region(x->end - e) + mcost_held(as, e, x->end);
	}
	(void)a;
	return 0;
}

/* Page tables for len bytes mapped at an address the model does not pin down: one
 * more than the 4 MiB units of len, since the range may straddle a boundary. */
uint32_t mcost_pt_any(uint64_t len)
{
	return len ? units(0, len, 22) + 1 : 0;
}

/* A new region of len bytes; with prealloc, every page allocated, held and mapped. */
uint32_t mcost_new_region(uint64_t len, int prealloc)
{
	uint32_t c = mcost_region(len);
	if (prealloc)
		c += units(0, len, PAGE_SHIFT) + mcost_held(NULL, 0, len) + mcost_pt_any(len);
	return c;
}

/* A copy of every extent of as with every page held and mapped: the most such a copy
 * may take when the pages present are not known (a parent the kernel killed, whose
 * faults the model no longer follows). */
uint32_t mcost_copy_all_held(const struct mspace *as)
{
	uint32_t c = 2;
	if (!as || as->lost)
		return UINT32_MAX / 2;
	for (uint32_t i = 0; i < as->n; i++) {
		const struct mext *x = &as->ext[i];
		c += mcost_region(x->end - x->start) + mcost_held(NULL, x->start, x->end) + mcost_pt(x->start, x->end);
	}
	return c;
}

/* A copy of every extent of as (fork, RS_PREPARE): regions, their held pages and
 * page tables, and a page directory. */
uint32_t mcost_copy(const struct mspace *as)
{
	uint32_t c = 2;
	if (!as || as->lost)
		return UINT32_MAX / 2;
	for (uint32_t i = 0; i < as->n; i++) {
		const struct mext *x = &as->ext[i];
		uint32_t held = present_pages(as, x->start, x->end), pt = mcost_pt(x->start, x->end);
		c += mcost_region(x->end - x->start) + mcost_held(as, x->start, x->end) + (held < pt ? held : pt);
	}
	return c;
}
