/* mmap.c - VM_MMAP and VM_MUNMAP: anonymous mappings of the caller (or, for the boot
 * VFS and RS, of a third party). */
#include "vm.h"

/* The process the mmap is for: the caller, or forwhom with MAP_THIRDPARTY (the
 * boot VFS and RS only: POWER_EXEC). */
static struct vmproc *mmap_target(const message *m, struct vmproc *caller, int *err)
{
	struct vmproc *t;

	*err = VM_OK;
	if (!(m->u.mmap.flags & MAP_THIRDPARTY))
		return caller;
	if ((*err = proc_require_power(caller, POWER_EXEC, VMC_MMAP)) != VM_OK)
		return NULL;
	t = m->u.mmap.forwhom == SELF ? caller : proc_target(m->u.mmap.forwhom);
	if (!t)
		*err = VM_ESRCH;
	return t;
}

/* Back every page of r now (r need not be in a tree); with contig, from one
 * physically contiguous run.  VM_ENOMEM when memory runs out (the caller frees r
 * with the pages it got), at once when the pool has fewer free pages than r has
 * pages: nothing is filled only to be freed again. */
static int prealloc_region(struct vir_region *r, int contig)
{
	uint32_t n = region_npages(r), base = PHYS_NONE;

	if (n > mem_free_count())
		return VM_ENOMEM;
	if (contig) {
		if (FAULT_POINT(PAGE_ALLOC))
			return VM_ENOMEM;
		base = mem_alloc(n, MEMF_CLEAR);
		if (base == PHYS_NONE)
			return VM_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct phys_block *pb;

		if (!contig) {
			if (r->type->ev_pagefault(r, i, 1) != VM_OK)
				return VM_ENOMEM;
			continue;
		}
		pb = pb_new(base + (i << PAGE_SHIFT));
		if (!pb || pb_reference(r, i, pb) != VM_OK) {
			if (pb)
				pb_free(pb);
			mem_free(base + (i << PAGE_SHIFT), n - i);
			return VM_ENOMEM;
		}
	}
	return VM_OK;
}

/* Validate the length and flags of an anonymous mapping; *len gets the length
 * rounded up to pages.  len is unsigned (size_t in MINIX): 2 GiB and more are checked
 * like any length, and only 0 or a length whose rounding wraps past 4 GiB is
 * VM_EINVAL (one that cannot be placed is VM_ENOMEM later).  VM_OK or the errno. */
static int mmap_check(const message *m, const struct vmproc *caller, uint32_t *len)
{
	uint32_t flags = m->u.mmap.flags;

	if (m->u.mmap.len == 0 || page_roundup(m->u.mmap.len, len))
		return VM_EINVAL;
	if ((flags & MAP_ANON) && m->u.mmap.fd != -1)
		return VM_EINVAL;
	if (!(flags & MAP_ANON) && m->u.mmap.fd != -1) { /* a file: through VFS (vfs.c) */
		if (m->u.mmap.fd < 0 || (m->u.mmap.offset & PAGE_MASK) || (flags & (MAP_PREALLOC | MAP_CONTIG)))
			return VM_EINVAL;
		if ((flags & MAP_SHARED) && (m->u.mmap.prot & PROT_WRITE))
			return VM_ENXIO; /* shared writable file memory: not served (as MINIX) */
	}
	if ((flags & MAP_CONTIG) && !(flags & MAP_PREALLOC))
		return VM_EINVAL;
	if ((flags & MAP_UNINITIALIZED) && proc_require_power(caller, POWER_EXEC, VMC_MMAP) != VM_OK)
		return VM_EPERM;
	if ((flags & MAP_FIXED) && (!page_aligned(m->u.mmap.addr) || m->u.mmap.addr < USER_BASE))
		return VM_EINVAL;
	return VM_OK;
}

/* With MAP_PREALLOC, back every page of r (not mapped yet) and make sure vmp's page
 * tables cover it, so that mapping r's pages afterwards cannot fail.  VM_ENOMEM
 * leaves pages r got to be dropped with r; no page table is left behind. */
static int mmap_back(struct vmproc *vmp, struct vir_region *r, uint32_t flags)
{
	if (!(flags & MAP_PREALLOC))
		return VM_OK;
	if (prealloc_region(r, (flags & MAP_CONTIG) != 0) != VM_OK)
		return VM_ENOMEM;
	return pt_reserve(&vmp->pt, r->vaddr, region_npages(r)) == VM_OK ? VM_OK : VM_ENOMEM;
}

/* Map the pages mmap_back gave r (now in vmp's tree); its page tables exist, so
 * nothing is allocated. */
static void mmap_map(struct vmproc *vmp, struct vir_region *r)
{
	if (map_region_pages(vmp, r) != VM_OK)
		PANIC("mapping preallocated pages allocated a page table");
}

/* MAP_FIXED: a new region of len bytes (rflags) at exactly addr in vmp, replacing what
 * the range held.  All-or-nothing (MINIX unmaps first and does not roll back): the
 * cut of the old range, the new region and its pages and page tables are all had
 * before anything is removed, so VM_ENOMEM leaves the old mappings (regions, pages,
 * contents, PTEs) exactly as they were. */
static int mmap_fixed(struct vmproc *vmp, uint32_t addr, uint32_t len, uint32_t rflags, uint32_t flags,
		      const struct mem_type *type)
{
	struct unmap_plan plan;
	struct vir_region *r;
	uint32_t end;
	int err;

	if (add_wraps(addr, len, &end) || end > USER_TOP)
		return VM_ENOMEM;
	if ((err = map_unmap_prepare(vmp, addr, len, &plan)) != VM_OK)
		return err;
	if (!(r = map_region_build(vmp, addr, len, rflags, type))) {
		map_unmap_cancel(&plan);
		return VM_ENOMEM;
	}
	if ((err = mmap_back(vmp, r, flags)) != VM_OK) {
		map_region_discard(r);
		map_unmap_cancel(&plan);
		return err;
	}
	map_unmap_apply(vmp, &plan); /* commit: nothing below can fail */
	VM_ASSERT(map_range_free(vmp, addr, len));
	region_insert(vmp, r);
	mmap_map(vmp, r);
	kc_flush_tlb(vmp->endpt);
	SANITYCHECK(SCL_DETAIL);
	return VM_OK;
}

/* Anywhere (or at a free hint): a new region of len bytes (rflags) in vmp; *at gets
 * its address.  VM_ENOMEM (no room or no memory) changes nothing. */
static int mmap_anywhere(struct vmproc *vmp, uint32_t hint, uint32_t len, uint32_t rflags, uint32_t flags,
			 const struct mem_type *type, uint32_t *at)
{
	struct vir_region *r;
	int err;

	r = map_new_region(vmp, hint, len, rflags, type, 0, &err);
	if (!r)
		return err;
	if (mmap_back(vmp, r, flags) != VM_OK) {
		map_free_region(vmp, r); /* preallocated memory is mapped, or not there at all */
		return VM_ENOMEM;
	}
	mmap_map(vmp, r);
	*at = r->vaddr;
	return VM_OK;
}

/* VM_MMAP: replies u.mmap.retaddr with the start of the new region.  Unlike MINIX,
 * which ignores PROT for anonymous memory, a mapping without PROT_WRITE is read-only.
 * A length of 2 GiB or more is mapped like any other (as MINIX; this VM answered
 * VM_EINVAL, reading it as negative); VM_ENOMEM when it cannot be placed or backed.
 * A failed request changes nothing, also with MAP_FIXED over existing mappings. */
int do_mmap(message *m)
{
	struct vmproc *caller = proc_get(m->m_source), *vmp;
	uint32_t len, rflags, flags = m->u.mmap.flags, addr = m->u.mmap.addr;
	int err;

	if ((err = mmap_check(m, caller, &len)) != VM_OK)
		return err;
	if (!(vmp = mmap_target(m, caller, &err)))
		return err;
	if (!(flags & MAP_ANON) && m->u.mmap.fd != -1)
		return vfs_mmap_request(m, vmp);
	rflags = VR_ANON | ((m->u.mmap.prot & PROT_WRITE) ? VR_WRITABLE : 0);
	if (!(flags & MAP_FIXED))
		return mmap_anywhere(vmp, addr, len, rflags, flags, &mem_type_anon, &m->u.mmap.retaddr);
	if ((err = mmap_fixed(vmp, addr, len, rflags, flags, &mem_type_anon)) == VM_OK)
		m->u.mmap.retaddr = addr;
	return err;
}

int mmap_place_file(struct vmproc *vmp, const struct vm_pl_mmap *q, uint32_t *at)
{
	uint32_t len, rflags = VR_ANON | ((q->prot & PROT_WRITE) ? VR_WRITABLE : 0);
	int err;

	if (page_roundup(q->len, &len))
		return VM_ENOMEM;
	if (!(q->flags & MAP_FIXED))
		return mmap_anywhere(vmp, q->addr, len, rflags, 0, &mem_type_file, at);
	if ((err = mmap_fixed(vmp, q->addr, len, rflags, 0, &mem_type_file)) == VM_OK)
		*at = q->addr;
	return err;
}

/* VM_MUNMAP of [addr, addr + len rounded up to pages) in the caller: regions are
 * split or shrunk as needed; unmapping nothing is VM_OK.  len is unsigned, so 2 GiB
 * and more are unmapped like any length (as MINIX); VM_EFAULT for an unaligned addr,
 * VM_EINVAL for len 0 or a range that wraps past the top of the address space (a
 * range past USER_TOP that does not wrap holds no region there: VM_OK). */
int do_munmap(message *m)
{
	struct vmproc *vmp = proc_get(m->m_source);
	uint32_t addr = m->u.munmap.addr, len, end;
	int err;

	if (!page_aligned(addr))
		return VM_EFAULT;
	if (m->u.munmap.len == 0 || page_roundup(m->u.munmap.len, &len) || add_wraps(addr, len, &end))
		return VM_EINVAL;
	err = map_unmap_range(vmp, addr, len);
	kc_flush_tlb(vmp->endpt);
	return err;
}

/* VM_OK when every byte of [addr, end) lies in a text region of vmp (VR_TEXT: a boot
 * text segment or a forked copy of one); VM_EINVAL otherwise.  Changes nothing. */
static int range_is_text(struct vmproc *vmp, uint32_t addr, uint32_t end)
{
	for (uint32_t va = addr; va < end;) {
		struct vir_region *r = region_find(vmp, va);

		if (!r || !(r->flags & VR_TEXT))
			return VM_EINVAL;
		va = r->vaddr + r->length; /* no wrap: regions end at or below USER_TOP */
	}
	return VM_OK;
}

/* VM_MUNMAP_TEXT (2010 MINIX): VM_MUNMAP of the caller's own text.  The checks of
 * VM_MUNMAP (VM_EFAULT for an unaligned addr, VM_EINVAL for a zero or wrapping len),
 * then VM_EINVAL unless every byte of the page-rounded range lies in a text region
 * (holes included: nothing else may be unmapped through this call); then as
 * VM_MUNMAP. */
int do_munmap_text(message *m)
{
	struct vmproc *vmp = proc_get(m->m_source);
	uint32_t addr = m->u.munmap_text.addr, len, end;
	int err;

	if (!page_aligned(addr))
		return VM_EFAULT;
	if (m->u.munmap_text.len == 0 || page_roundup(m->u.munmap_text.len, &len) || add_wraps(addr, len, &end))
		return VM_EINVAL;
	if (range_is_text(vmp, addr, end) != VM_OK)
		return VM_EINVAL;
	err = map_unmap_range(vmp, addr, len);
	kc_flush_tlb(vmp->endpt);
	return err;
}
