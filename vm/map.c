/* map.c - address-space operations on regions: create, free, split, copy for fork,
 * grow for brk, and the page-table view of a region. */
#include "vm.h"

/* The PTE flags page idx of r should carry when mapped (0 when it has no page). */
uint32_t map_expected_pte(const struct vir_region *r, uint32_t idx)
{
	if (!r->pages[idx])
		return 0;
	return PTE_P | PTE_U | (r->type->writable(r, idx) ? PTE_W : 0);
}

/* Write page idx of r into the page table as it should be now.  VM_ENOMEM when a
 * page table cannot be allocated (the page stays referenced, merely unmapped). */
int map_map_page(struct vmproc *vmp, struct vir_region *r, uint32_t idx)
{
	uint32_t flags = map_expected_pte(r, idx);
	uint32_t va = r->vaddr + (idx << PAGE_SHIFT);

	if (!flags)
		return pt_write(&vmp->pt, va, PHYS_NONE, 1, 0);
	return pt_write(&vmp->pt, va, r->pages[idx]->ph->phys, 1, flags & ~PTE_P);
}

/* Rewrite r's present PTEs with the flags they should have now (after sharing
 * changed).  Only existing entries are touched, so nothing is allocated. */
void map_protect_region(struct vmproc *vmp, struct vir_region *r)
{
	for (uint32_t i = 0; i < region_npages(r); i++) {
		uint32_t va = r->vaddr + (i << PAGE_SHIFT);

		if (!r->pages[i] || !(pt_lookup(&vmp->pt, va) & PTE_P))
			continue;
		if (map_map_page(vmp, r, i) != VM_OK)
			PANIC("rewriting a present PTE allocated");
	}
}

/* True when [vaddr, vaddr+len) lies in the user range and touches no region. */
int map_range_free(struct vmproc *vmp, uint32_t vaddr, uint32_t len)
{
	uint32_t end;
	struct vir_region *r;

	if (len == 0 || add_wraps(vaddr, len, &end) || vaddr < USER_BASE || end > USER_TOP)
		return 0;
	r = region_find_ge(vmp, vaddr);
	return !r || r->vaddr >= end;
}

/* First-fit search for len free bytes in [MMAP_BASE, MMAP_TOP); 0 when none. */
static uint32_t find_hole(struct vmproc *vmp, uint32_t len)
{
	uint32_t cursor = MMAP_BASE, end;
	struct vir_region *r;

	for (r = region_find_ge(vmp, cursor); r && r->vaddr < MMAP_TOP; r = region_next(vmp, r)) {
		if (!add_wraps(cursor, len, &end) && end <= r->vaddr)
			return cursor;
		if (r->vaddr + r->length > cursor)
			cursor = r->vaddr + r->length;
	}
	if (!add_wraps(cursor, len, &end) && end <= MMAP_TOP)
		return cursor;
	return 0;
}

/* An empty region object of npages pages (no page referenced), not in any tree. */
static struct vir_region *region_alloc(uint32_t npages)
{
	struct vir_region *r = slab_alloc(sizeof(*r));

	if (!r)
		return NULL;
	if (pagearray_alloc(r, npages) != VM_OK) {
		slab_free(r, sizeof(*r));
		return NULL;
	}
	r->id = vm.next_region_id++;
	return r;
}

/* A new region of len bytes (page-aligned, non-zero) in vmp: at vaddr when vaddr is a
 * free page-aligned spot, else (unless fixed) the first hole of the mmap range.
 * NULL with *err = VM_ENOMEM when there is no room or no memory. */
struct vir_region *map_new_region(struct vmproc *vmp, uint32_t vaddr, uint32_t len, uint32_t flags,
				  const struct mem_type *type, int fixed, int *err)
{
	struct vir_region *r;

	*err = VM_ENOMEM;
	if (len == 0 || !page_aligned(len))
		return NULL;
	if (!vaddr || !page_aligned(vaddr) || !map_range_free(vmp, vaddr, len)) {
		if (fixed)
			return NULL;
		vaddr = find_hole(vmp, len);
		if (!vaddr)
			return NULL;
	}
	r = region_alloc(len >> PAGE_SHIFT);
	if (!r)
		return NULL;
	r->vaddr = vaddr;
	r->length = len;
	r->flags = flags;
	r->type = type;
	r->slot = vmp->slot;
	region_insert(vmp, r);
	*err = VM_OK;
	return r;
}

/* Drop pages [from, to) of r: unmap them and release the references. */
static void drop_pages(struct vmproc *vmp, struct vir_region *r, uint32_t from, uint32_t to)
{
	if (to > from)
		pt_write(&vmp->pt, r->vaddr + (from << PAGE_SHIFT), PHYS_NONE, to - from, 0);
	for (uint32_t i = from; i < to; i++)
		if (r->pages[i])
			pb_unreference(r, i);
}

/* Remove r from vmp and free it with every page it references. */
void map_free_region(struct vmproc *vmp, struct vir_region *r)
{
	drop_pages(vmp, r, 0, region_npages(r));
	region_remove(vmp, r);
	pagearray_free(r);
	slab_free(r, sizeof(*r));
}

/* Free every region of vmp. */
void map_free_proc(struct vmproc *vmp)
{
	struct vir_region *r;

	while ((r = vmp->regions) != NULL)
		map_free_region(vmp, r);
}

/* Move pages [from, npages) of r into the fresh region hi, which starts at page from. */
static void move_tail(struct vir_region *r, struct vir_region *hi, uint32_t from)
{
	for (uint32_t i = from; i < region_npages(r); i++) {
		struct phys_region *pr = r->pages[i];

		r->pages[i] = NULL;
		if (!pr)
			continue;
		pr->parent = hi;
		pr->offset = (i - from) << PAGE_SHIFT;
		hi->pages[i - from] = pr;
	}
}

/* Cut pages [0, n) off the bottom of r (already dropped): shift the rest down. */
static void shift_down(struct vmproc *vmp, struct vir_region *r, uint32_t n)
{
	uint32_t total = region_npages(r);

	region_remove(vmp, r);
	for (uint32_t i = n; i < total; i++) {
		struct phys_region *pr = r->pages[i];

		r->pages[i - n] = pr;
		r->pages[i] = NULL;
		if (pr)
			pr->offset = (i - n) << PAGE_SHIFT;
	}
	r->vaddr += n << PAGE_SHIFT;
	r->length -= n << PAGE_SHIFT;
	region_insert(vmp, r);
}

/* Unmap [lo, hi) (page indexes) of r, a strict interior hole: split r in two.
 * VM_ENOMEM with nothing changed when the upper region cannot be allocated. */
static int split_region(struct vmproc *vmp, struct vir_region *r, uint32_t lo, uint32_t hi)
{
	struct vir_region *upper = region_alloc(region_npages(r) - hi);

	if (!upper)
		return VM_ENOMEM;
	upper->vaddr = r->vaddr + (hi << PAGE_SHIFT);
	upper->length = r->length - (hi << PAGE_SHIFT);
	upper->flags = r->flags;
	upper->type = r->type;
	upper->slot = r->slot;
	drop_pages(vmp, r, lo, hi);
	move_tail(r, upper, hi);
	r->length = lo << PAGE_SHIFT;
	region_insert(vmp, upper);
	MUTATED();
	return VM_OK;
}

/* Unmap [addr, addr+len) (page-aligned, no wrap) from vmp, splitting or shrinking
 * the regions it cuts.  Atomic: a failure (VM_ENOMEM on a split) changes nothing. */
int map_unmap_range(struct vmproc *vmp, uint32_t addr, uint32_t len)
{
	uint32_t end = addr + len;
	struct vir_region *r, *next;

	for (r = region_find_ge(vmp, addr); r && r->vaddr < end; r = next) {
		uint32_t rend = r->vaddr + r->length;
		uint32_t lo = addr > r->vaddr ? (addr - r->vaddr) >> PAGE_SHIFT : 0;
		uint32_t hi = end < rend ? (end - r->vaddr) >> PAGE_SHIFT : region_npages(r);

		next = region_next(vmp, r);
		if (lo == 0 && hi == region_npages(r)) {
			map_free_region(vmp, r);
		} else if (lo > 0 && hi < region_npages(r)) {
			return split_region(vmp, r, lo, hi);
		} else if (lo == 0) {
			drop_pages(vmp, r, 0, hi);
			shift_down(vmp, r, hi);
		} else {
			drop_pages(vmp, r, lo, hi);
			r->length = lo << PAGE_SHIFT;
			MUTATED();
		}
		SANITYCHECK(SCL_DETAIL);
	}
	return VM_OK;
}

/* Copy src region r into dst, sharing every page.  VM_ENOMEM leaves dst with the
 * partial copy in its tree (the caller frees dst). */
static int copy_region(struct vmproc *dst, struct vir_region *r)
{
	struct vir_region *c = region_alloc(region_npages(r));

	if (!c)
		return VM_ENOMEM;
	c->vaddr = r->vaddr;
	c->length = r->length;
	c->flags = r->flags;
	c->type = r->type;
	c->slot = dst->slot;
	region_insert(dst, c);
	for (uint32_t i = 0; i < region_npages(r); i++)
		if (r->pages[i] && pb_reference(c, i, r->pages[i]->ph) != VM_OK)
			return VM_ENOMEM;
	return VM_OK;
}

/* Map every page of r that has one (allocating page tables as needed). */
static int map_region_pages(struct vmproc *vmp, struct vir_region *r)
{
	for (uint32_t i = 0; i < region_npages(r); i++)
		if (r->pages[i] && map_map_page(vmp, r, i) != VM_OK)
			return VM_ENOMEM;
	return VM_OK;
}

/* Give dst (empty, with a page table) a copy-on-write copy of src's address space:
 * every page is shared and mapped read-only in both.  On VM_ENOMEM dst is emptied
 * again; src keeps its pages, some of its PTEs possibly read-only where they were
 * writable (a later write fault maps them writable again). */
int map_copy_proc(struct vmproc *dst, struct vmproc *src)
{
	struct vir_region *r;

	for (r = region_first(src); r; r = region_next(src, r)) {
		if (copy_region(dst, r) != VM_OK) {
			map_free_proc(dst);
			return VM_ENOMEM;
		}
		map_protect_region(src, r);
		SANITYCHECK(SCL_DETAIL);
	}
	for (r = region_first(dst); r; r = region_next(dst, r)) {
		if (map_region_pages(dst, r) != VM_OK) {
			map_free_proc(dst);
			return VM_ENOMEM;
		}
	}
	return VM_OK;
}

/* Grow region r of vmp so it reaches v (brk).  VM_ENOMEM when the growth would
 * collide with the next region or leave the user range, or the page array cannot
 * grow; a v r already reaches is VM_OK and changes nothing (brk never shrinks). */
int map_extend_upto(struct vmproc *vmp, struct vir_region *r, uint32_t v)
{
	struct vir_region *next, tmp;
	uint32_t end, newlen, npages;

	if (v > USER_TOP)
		return VM_ENOMEM;
	if (v <= r->vaddr || v - r->vaddr <= r->length)
		return VM_OK;
	if (page_roundup(v, &end) || end > USER_TOP)
		return VM_ENOMEM;
	newlen = end - r->vaddr;
	next = region_next(vmp, r);
	if (next && next->vaddr < end)
		return VM_ENOMEM;
	npages = newlen >> PAGE_SHIFT;
	if (npages > r->pages_cap) {
		if (pagearray_alloc(&tmp, npages) != VM_OK)
			return VM_ENOMEM;
		vm_memcpy(tmp.pages, r->pages, region_npages(r) * sizeof(r->pages[0]));
		pagearray_free(r);
		r->pages = tmp.pages;
		r->pages_cap = tmp.pages_cap;
		r->pages_phys = tmp.pages_phys;
	}
	r->length = newlen;
	MUTATED();
	return VM_OK;
}

/* Serve a page fault of vmp at addr.  VM_EFAULT when no region covers addr or a write
 * hits a read-only region; VM_ENOMEM when memory runs out. */
int map_pagefault(struct vmproc *vmp, uint32_t addr, int write)
{
	struct vir_region *r = region_find(vmp, addr);
	uint32_t idx;
	int err;

	if (!r || (write && !(r->flags & VR_WRITABLE)))
		return VM_EFAULT;
	idx = (addr - r->vaddr) >> PAGE_SHIFT;
	err = r->type->ev_pagefault(r, idx, write);
	if (err != VM_OK)
		return err;
	return map_map_page(vmp, r, idx);
}
