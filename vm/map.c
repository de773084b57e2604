/* map.c - address-space operations on regions: create, free, split, copy for fork,
 * grow for brk, and the page-table view of a region.  Loops over a region's pages
 * walk only the pages it has (REGION_EACH_PAGE), never its whole length. */
#include "vm.h"

/* The PTE flags page idx of r should carry when mapped (0 when it has no page). */
uint32_t map_expected_pte(const struct vir_region *r, uint32_t idx)
{
	if (!region_page(r, idx))
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
	return pt_write(&vmp->pt, va, region_page(r, idx)->ph->phys, 1, flags & ~PTE_P);
}

/* Rewrite r's present PTEs with the flags they should have now (after sharing
 * changed).  Only existing entries are touched, so nothing is allocated. */
void map_protect_region(struct vmproc *vmp, struct vir_region *r)
{
	for (REGION_EACH_PAGE(r, i)) {
		if (!(pt_lookup(&vmp->pt, r->vaddr + (i << PAGE_SHIFT)) & PTE_P))
			continue;
		if (map_map_page(vmp, r, i) != VM_OK)
			PANIC("rewriting a present PTE allocated");
	}
}

/* Rewrite the present PTEs of every sharer of pb, in whichever process, with the
 * flags they should have now, and flush the TLB of each process rewritten.  A present
 * entry's page table exists, so nothing is allocated. */
static void protect_sharers(struct phys_block *pb)
{
	for (struct phys_region *s = pb->first; s; s = s->next_sharer) {
		struct vmproc *vmp = &vm.proc[s->parent->slot];

		if (!(pt_lookup(&vmp->pt, s->parent->vaddr + s->offset) & PTE_P))
			continue;
		if (map_map_page(vmp, s->parent, s->offset >> PAGE_SHIFT) != VM_OK)
			PANIC("rewriting a present PTE allocated");
		kc_flush_tlb(vmp->endpt);
	}
}

void map_protect_block(struct phys_block *pb)
{
	protect_sharers(pb);
}

/* Give the private (copy-on-write) sharers of pb a copy of the page of their own,
 * so the shared-memory sharers left on pb may write it in place.  The moved sharers'
 * present PTEs are rewritten (their tables exist, so nothing else is allocated).
 * VM_ENOMEM when no page or block can be had (nothing changed). */
int map_split_private(struct phys_block *pb)
{
	struct phys_region *s, *next, *moved = NULL;
	struct phys_block *copy = pb_copy(pb);

	if (!copy)
		return VM_ENOMEM;
	for (s = pb->first; s; s = next) {
		next = s->next_sharer;
		if (s->parent->flags & VR_SHARED)
			continue;
		pb_relink(s->parent, s->offset >> PAGE_SHIFT, copy);
		moved = s;
	}
	VM_ASSERT(moved);
	protect_sharers(copy);
	return VM_OK;
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

/* A region object for [vaddr, vaddr+len) with an empty page map, in no tree; NULL
 * when the slab or the map allocation fails. */
static struct vir_region *region_alloc(uint32_t vaddr, uint32_t len, uint32_t flags,
				       const struct mem_type *type, int32_t slot)
{
	struct vir_region *r = slab_alloc(sizeof(*r));

	if (!r)
		return NULL;
	if (pagemap_init(r, len >> PAGE_SHIFT) != VM_OK) {
		slab_free(r, sizeof(*r));
		return NULL;
	}
	r->vaddr = vaddr;
	r->length = len;
	r->flags = flags;
	r->type = type;
	r->slot = slot;
	r->phys_base = 0;
	r->src_endpt = NONE;
	r->src_vaddr = r->src_id = r->src_pgoff = 0;
	r->file_ino = r->file_off = r->file_end = 0;
	r->file_dev = r->file_fd = 0;
	r->id = vm.next_region_id++;
	MUTATED();
	sanity_changed(r->slot);
	return r;
}

/* Free a region object that is in no tree and references no page. */
static void region_release(struct vir_region *r)
{
	sanity_changed(r->slot);
	pagemap_free(r);
	slab_free(r, sizeof(*r));
	MUTATED();
}

/* A region of vmp for [vaddr, vaddr+len) (page-aligned, inside the user range) that
 * is in no tree yet: it may be given pages, then inserted (region_insert) once its
 * range is free, or dropped with map_region_discard.  NULL when memory runs out. */
struct vir_region *map_region_build(struct vmproc *vmp, uint32_t vaddr, uint32_t len, uint32_t flags,
				    const struct mem_type *type)
{
	return region_alloc(vaddr, len, flags, type, vmp->slot);
}

/* Free a region from map_region_build that was never inserted or mapped, with every
 * page it references (no PTE is touched: its range may map another region's pages). */
void map_region_discard(struct vir_region *r)
{
	for (REGION_EACH_PAGE(r, i))
		pb_unreference(r, i);
	region_release(r);
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
	r = region_alloc(vaddr, len, flags, type, vmp->slot);
	if (!r)
		return NULL;
	region_insert(vmp, r);
	*err = VM_OK;
	return r;
}

/* Drop the pages of r in [from, to): clear their PTEs and release the references.
 * A PTE is present only for a page the region has, so nothing else needs clearing. */
static void drop_pages(struct vmproc *vmp, struct vir_region *r, uint32_t from, uint32_t to)
{
	for (uint32_t i = pagemap_next(r, from); i < to; i = pagemap_next(r, i + 1)) {
		pt_write(&vmp->pt, r->vaddr + (i << PAGE_SHIFT), PHYS_NONE, 1, 0);
		pb_unreference(r, i);
	}
}

/* Cut r back to its first npages pages (undoing a growth): the pages past them are
 * unmapped and released. */
void map_truncate(struct vmproc *vmp, struct vir_region *r, uint32_t npages)
{
	drop_pages(vmp, r, npages, region_npages(r));
	r->length = npages << PAGE_SHIFT;
	MUTATED();
	sanity_changed(r->slot);
}

/* Remove r from vmp and free it with every page it references. */
void map_free_region(struct vmproc *vmp, struct vir_region *r)
{
	drop_pages(vmp, r, 0, region_npages(r));
	region_remove(vmp, r);
	region_release(r);
}

/* Free every region of vmp. */
void map_free_proc(struct vmproc *vmp)
{
	struct vir_region *r;

	while ((r = vmp->regions) != NULL)
		map_free_region(vmp, r);
}

/* Give region d the type parameters of r (device base, shared-memory source) for the
 * part of r that starts at page `from`. */
static void inherit_params(struct vir_region *d, const struct vir_region *r, uint32_t from)
{
	d->phys_base = r->phys_base + (from << PAGE_SHIFT);
	d->src_endpt = r->src_endpt;
	d->src_vaddr = r->src_vaddr;
	d->src_id = r->src_id;
	d->src_pgoff = r->src_pgoff + from;
	d->file_dev = r->file_dev;
	d->file_fd = r->file_fd;
	d->file_ino = r->file_ino;
	d->file_off = r->file_off + ((uint64_t)from << PAGE_SHIFT);
	d->file_end = r->file_end;
}

/* A region for the pages of r from page `from` on, with a map slot reserved for each
 * page r has there, so moving them cannot fail.  NULL on allocation failure (nothing
 * changed). */
static struct vir_region *prepare_tail(struct vir_region *r, uint32_t from)
{
	struct vir_region *t = region_alloc(r->vaddr + (from << PAGE_SHIFT), r->length - (from << PAGE_SHIFT),
					    r->flags, r->type, r->slot);

	if (!t)
		return NULL;
	inherit_params(t, r, from);
	for (uint32_t i = pagemap_next(r, from); i < region_npages(r); i = pagemap_next(r, i + 1)) {
		if (pagemap_reserve(t, i - from) != VM_OK) {
			region_release(t);
			return NULL;
		}
	}
	return t;
}

/* Move r's pages from page `from` on into the prepared tail region t. */
static void move_tail(struct vir_region *r, struct vir_region *t, uint32_t from)
{
	for (uint32_t i = pagemap_next(r, from); i < region_npages(r); i = pagemap_next(r, i + 1)) {
		struct phys_region *pr = region_page(r, i);

		pagemap_set(r, i, NULL);
		pr->parent = t;
		pr->offset = (i - from) << PAGE_SHIFT;
		pagemap_set(t, i - from, pr);
	}
}

/* Unmap [lo, hi) (page indexes) of r, where the region continues past hi: the part
 * above hi moves to the prepared tail t, and r keeps [0, lo) or goes away. */
static void cut_with_tail(struct vmproc *vmp, struct vir_region *r, struct vir_region *t,
			  uint32_t lo, uint32_t hi)
{
	move_tail(r, t, hi);
	drop_pages(vmp, r, lo, hi);
	if (lo == 0) {
		region_remove(vmp, r);
		region_release(r);
	} else {
		r->length = lo << PAGE_SHIFT;
		MUTATED();
		sanity_changed(r->slot);
	}
	region_insert(vmp, t);
}

/* Plan the unmap of [addr, addr+len) (page-aligned, no wrap) from vmp.  Only the
 * region that continues past the end needs memory (a new object for its tail); it is
 * allocated here, so applying the plan cannot fail.  VM_ENOMEM changes nothing. */
int map_unmap_prepare(struct vmproc *vmp, uint32_t addr, uint32_t len, struct unmap_plan *plan)
{
	uint32_t end = addr + len;
	struct vir_region *last = region_find(vmp, end - 1);

	plan->addr = addr;
	plan->end = end;
	plan->tail = NULL;
	if (last && end - last->vaddr < last->length) {
		plan->tail = prepare_tail(last, (end - last->vaddr) >> PAGE_SHIFT);
		if (!plan->tail)
			return VM_ENOMEM;
	}
	return VM_OK;
}

/* Drop a prepared plan that will not be applied (its tail holds no page yet). */
void map_unmap_cancel(struct unmap_plan *plan)
{
	if (plan->tail)
		region_release(plan->tail);
	plan->tail = NULL;
}

/* Apply a plan of vmp made by map_unmap_prepare, with nothing changed in vmp since:
 * the regions in the range are split, shrunk or freed with their pages.  With detail,
 * the sanity checker runs (SCL_DETAIL) after each region once nothing prepared is
 * left outside a tree; a caller still holding prepared objects passes 0. */
static void unmap_apply(struct vmproc *vmp, struct unmap_plan *plan, int detail)
{
	uint32_t addr = plan->addr, end = plan->end;
	struct vir_region *r, *next, *tail = plan->tail;
	struct vir_region *last = tail ? region_find(vmp, end - 1) : NULL;

	for (r = region_find_ge(vmp, addr); r && r->vaddr < end; r = next) {
		uint32_t lo = addr > r->vaddr ? (addr - r->vaddr) >> PAGE_SHIFT : 0;
		uint32_t hi = r == last ? (end - r->vaddr) >> PAGE_SHIFT : region_npages(r);

		next = region_next(vmp, r);
		if (r == last) {
			cut_with_tail(vmp, r, tail, lo, hi);
			tail = NULL;
		} else if (lo == 0) {
			map_free_region(vmp, r);
		} else {
			drop_pages(vmp, r, lo, hi);
			r->length = lo << PAGE_SHIFT;
			MUTATED();
			sanity_changed(r->slot);
		}
		if (detail && !tail) /* a prepared tail in no tree yet is not countable */
			SANITYCHECK(SCL_DETAIL);
	}
	VM_ASSERT(!tail);
	plan->tail = NULL;
}

/* Apply a prepared plan (map_unmap_prepare) of vmp; cannot fail.  No sanity check
 * runs inside: the caller may hold other prepared objects outside any tree. */
void map_unmap_apply(struct vmproc *vmp, struct unmap_plan *plan)
{
	unmap_apply(vmp, plan, 0);
}

/* Unmap [addr, addr+len) (page-aligned, no wrap) from vmp, splitting or shrinking the
 * regions it cuts.  A failure (VM_ENOMEM: the tail of a cut region cannot be had)
 * changes nothing. */
int map_unmap_range(struct vmproc *vmp, uint32_t addr, uint32_t len)
{
	struct unmap_plan plan;
	int err = map_unmap_prepare(vmp, addr, len, &plan);

	if (err == VM_OK)
		unmap_apply(vmp, &plan, 1);
	return err;
}

/* The flags of a copy of r (fork, RS_PREPARE).  A VM_REMAP source (anonymous shared
 * memory) is copied as private copy-on-write memory, a snapshot its aliases never
 * write (MINIX gives the copy a new region with remaps 0); an alias or a cache
 * mapping stays shared memory in the copy (MINIX: shared_copy). */
static uint32_t copy_flags(const struct vir_region *r)
{
	return r->type == &mem_type_anon ? r->flags & ~VR_SHARED : r->flags;
}

/* After r of src was copied: src's present PTEs of r lose write access where a page
 * is now shared.  A VM_REMAP source's pages are also mapped by its aliases, writable
 * in place until now: every sharer's PTEs are rewritten, so the next write through
 * the source or an alias faults and moves the copy off the page first. */
static void protect_copied(struct vmproc *src, struct vir_region *r)
{
	if (r->type != &mem_type_anon || !(r->flags & VR_SHARED)) {
		map_protect_region(src, r);
		return;
	}
	for (REGION_EACH_PAGE(r, i))
		protect_sharers(region_page(r, i)->ph);
}

/* Copy src region r into dst, sharing every page.  VM_ENOMEM leaves dst with the
 * partial copy in its tree (the caller frees dst). */
static int copy_region(struct vmproc *dst, struct vir_region *r)
{
	struct vir_region *c = region_alloc(r->vaddr, r->length, copy_flags(r), r->type, dst->slot);

	if (!c)
		return VM_ENOMEM;
	inherit_params(c, r, 0);
	region_insert(dst, c);
	for (REGION_EACH_PAGE(r, i))
		if (pb_reference(c, i, region_page(r, i)->ph) != VM_OK)
			return VM_ENOMEM;
	return VM_OK;
}

/* Map every page of r that has one (allocating page tables as needed). */
int map_region_pages(struct vmproc *vmp, struct vir_region *r)
{
	for (REGION_EACH_PAGE(r, i))
		if (map_map_page(vmp, r, i) != VM_OK)
			return VM_ENOMEM;
	return VM_OK;
}

/* Give dst a copy-on-write copy of src's region r at the same address: pages shared,
 * mapped read-only in dst and in src (and in the aliases of a VM_REMAP source, whose
 * copy is private: copy_flags).  VM_ENOMEM when that range is taken in dst or memory
 * runs out; dst is then as it was (src and those aliases may keep some PTEs read-only:
 * a write fault maps them writable again). */
int map_share_region(struct vmproc *dst, struct vmproc *src, struct vir_region *r)
{
	struct vir_region *c;
	int err;

	if (!map_range_free(dst, r->vaddr, r->length))
		return VM_ENOMEM;
	err = copy_region(dst, r);
	c = region_find(dst, r->vaddr); /* the copy, if copy_region got to insert it */
	if (err == VM_OK) {
		protect_copied(src, r);
		err = map_region_pages(dst, c);
	}
	if (err != VM_OK && c)
		map_free_region(dst, c);
	return err;
}

/* Give dst (empty, with a page table) a copy-on-write copy of src's address space:
 * every page is shared and mapped read-only in both (a VM_REMAP source's aliases too:
 * dst's copy of a source is private, copy_flags).  On VM_ENOMEM dst is emptied again;
 * src keeps its pages, some of its PTEs (or its aliases') possibly read-only where
 * they were writable (a later write fault maps them writable again). */
int map_copy_proc(struct vmproc *dst, struct vmproc *src)
{
	struct vir_region *r;

	for (r = region_first(src); r; r = region_next(src, r)) {
		if (copy_region(dst, r) != VM_OK) {
			map_free_proc(dst);
			return VM_ENOMEM;
		}
		protect_copied(src, r);
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
 * collide with the next region or leave the user range, or the page map cannot
 * grow; a v r already reaches is VM_OK and changes nothing (brk never shrinks). */
int map_extend_upto(struct vmproc *vmp, struct vir_region *r, uint32_t v)
{
	struct vir_region *next;
	uint32_t end;

	if (v > USER_TOP)
		return VM_ENOMEM;
	if (v <= r->vaddr || v - r->vaddr <= r->length)
		return VM_OK;
	if (page_roundup(v, &end) || end > USER_TOP)
		return VM_ENOMEM;
	next = region_next(vmp, r);
	if (next && next->vaddr < end)
		return VM_ENOMEM;
	if (pagemap_grow(r, (end - r->vaddr) >> PAGE_SHIFT) != VM_OK)
		return VM_ENOMEM;
	r->length = end - r->vaddr;
	MUTATED();
	sanity_changed(r->slot);
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

/* Make [addr, addr+len) of vmp present and (with write) writable, as page faults
 * would, so a kernel copy into it cannot fault.  VM_EFAULT when part of it is not in
 * a region (or not writable), VM_ENOMEM when memory runs out; pages made present
 * before a failure stay (as after the equivalent faults). */
int map_prefault(struct vmproc *vmp, uint32_t addr, uint32_t len, int write)
{
	uint32_t end, va;
	int err;

	if (len == 0)
		return VM_OK;
	if (add_wraps(addr, len - 1, &end))
		return VM_EFAULT;
	for (va = addr & ~PAGE_MASK; ; va += PAGE_SIZE) {
		if ((err = map_pagefault(vmp, va, write)) != VM_OK)
			return err == VM_SUSPEND ? VM_EFAULT : err; /* no VFS trip inside a copy */
		if (end - va < PAGE_SIZE)
			return VM_OK;
	}
}
