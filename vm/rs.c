/* rs.c - requests from RS: VM_RS_SET_PRIV installs a process's VM call mask. */
#include "vm.h"

/* VM_RS_SET_PRIV: give endpt the mask at buf in the caller (RS), as a system service
 * (own ACL entry) or, with sys == 0, as a user process (the mask becomes the shared
 * user mask).  buf == 0 keeps the shared user mask for a user process and is
 * VM_EINVAL for a system one (system services do not share).  Checked in this order:
 * VM_EINVAL for a bad target, VM_EPERM for VM itself, VM_EINVAL for sys without buf,
 * VM_ENOMEM when a system target needs an entry and none is left (before buf is read,
 * so the refusal makes no page of the caller present), VM_EFAULT when buf cannot be
 * read; a failure changes no ACL. */
int do_rs_set_priv(message *m)
{
	struct vmproc *vmp = proc_get(m->u.rs_set_priv.endpt);
	int sys = m->u.rs_set_priv.sys != 0;
	vm_callmask_t mask;
	int err;

	if (!vmp)
		return VM_EINVAL;
	if (vmp->endpt == vm.self)
		return VM_EPERM;
	if (!m->u.rs_set_priv.buf) {
		if (sys)
			return VM_EINVAL;
		mask = vm.acl.mask[USER_ACL];
		return acl_set(vmp, mask, sys);
	}
	if (sys && vmp->acl <= USER_ACL && acl_entries_in_use() >= NR_SYS_PROCS)
		return VM_ENOMEM; /* before the copy, which would make buf present */
	if ((err = copy_from_proc(m->m_source, m->u.rs_set_priv.buf, &mask, sizeof(mask))) != VM_OK)
		return err;
	return acl_set(vmp, mask, sys);
}

/* Back every page of r in [from, npages) now (demand-zero faults done ahead); that
 * range holds no page yet, so more pages than the pool has free is VM_ENOMEM at once
 * (nothing filled only to be freed again). */
static int prealloc_pages(struct vir_region *r, uint32_t from)
{
	if (region_npages(r) - from > mem_free_count())
		return VM_ENOMEM;
	for (uint32_t i = from; i < region_npages(r); i++)
		if (r->type->ev_pagefault(r, i, 1) != VM_OK)
			return VM_ENOMEM;
	return VM_OK;
}

/* The preallocated map of vmp, or NULL. */
static struct vir_region *prealloc_map(struct vmproc *vmp)
{
	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r))
		if (r->flags & VR_PREALLOC_MAP)
			return r;
	return NULL;
}

/* HEAP_PREALLOC: grow the heap by len bytes and back (and map) the new part now; a
 * failure undoes the growth, so ENOMEM leaves the heap as it was.  len is unsigned
 * (as MINIX): only 0 is VM_EINVAL; 2 GiB and more are tried like any length (VM_ENOMEM
 * when the heap cannot grow that far or memory runs out). */
static int memctl_heap(struct vmproc *vmp, uint32_t len)
{
	struct vir_region *heap = region_find(vmp, vmp->heap_base);
	uint32_t end, old;
	int err;

	if (len == 0)
		return VM_EINVAL;
	if (!heap || heap->vaddr != vmp->heap_base || add_wraps(heap->vaddr + heap->length, len, &end))
		return VM_ENOMEM;
	old = region_npages(heap);
	if ((err = map_extend_upto(vmp, heap, end)) != VM_OK)
		return err;
	if (prealloc_pages(heap, old) != VM_OK || map_region_pages(vmp, heap) != VM_OK) {
		map_truncate(vmp, heap, old);
		return VM_ENOMEM;
	}
	return VM_OK;
}

/* MAP_PREALLOC: one preallocated anonymous region of len bytes (at addr if free);
 * replies its address and length.  len is unsigned (as MINIX): VM_EINVAL only for 0
 * or a length whose page rounding wraps; 2 GiB and more are tried like any length
 * (VM_ENOMEM without room or memory).  VM_EEXIST when the process has one already. */
static int memctl_map(struct vmproc *vmp, message *m)
{
	struct vir_region *r;
	uint32_t len;
	int err;

	if (m->u.rs_memctl.len == 0 || page_roundup(m->u.rs_memctl.len, &len))
		return VM_EINVAL;
	if (prealloc_map(vmp))
		return VM_EEXIST;
	r = map_new_region(vmp, m->u.rs_memctl.addr, len, VR_ANON | VR_WRITABLE | VR_PREALLOC_MAP,
			   &mem_type_anon, 0, &err);
	if (!r)
		return err;
	if (prealloc_pages(r, 0) != VM_OK || map_region_pages(vmp, r) != VM_OK) {
		map_free_region(vmp, r);
		return VM_ENOMEM;
	}
	m->u.rs_memctl.addr = r->vaddr;
	m->u.rs_memctl.len = r->length;
	return VM_OK;
}

/* VM_RS_MEMCTL: PIN (nothing to do with one VM), MAKE_VM (VM_EPERM: this VM does not
 * run a second instance), HEAP_PREALLOC, MAP_PREALLOC, GET_PREALLOC_MAP (replies the
 * map's address and length, 0/0 without one); VM_EINVAL for anything else. */
int do_rs_memctl(message *m)
{
	struct vmproc *vmp = proc_target(m->u.rs_memctl.endpt);
	struct vir_region *r;

	if (!vmp)
		return VM_EINVAL;
	switch (m->u.rs_memctl.req) {
	case VM_RS_MEM_PIN:
		return VM_OK;
	case VM_RS_MEM_MAKE_VM:
		return VM_EPERM;
	case VM_RS_MEM_HEAP_PREALLOC:
		return memctl_heap(vmp, m->u.rs_memctl.len);
	case VM_RS_MEM_MAP_PREALLOC:
		return memctl_map(vmp, m);
	case VM_RS_MEM_GET_PREALLOC_MAP:
		r = prealloc_map(vmp);
		m->u.rs_memctl.addr = r ? r->vaddr : 0;
		m->u.rs_memctl.len = r ? r->length : 0;
		return VM_OK;
	default:
		return VM_EINVAL;
	}
}

/* Exchange the address spaces (and ACLs, heap bases, counters) of a and b; each
 * keeps its slot, endpoint and the powers of that endpoint.  Aliases of a region
 * that moved (in any process) follow it to its new endpoint. */
static void swap_procs(struct vmproc *a, struct vmproc *b)
{
	struct vmproc t = *a;
	endpoint_t ea = a->endpt, eb = b->endpt;
	int32_t sa = a->slot, sb = b->slot;
	uint32_t pa = a->powers, pb = b->powers;

	*a = *b;
	*b = t;
	a->endpt = ea, a->slot = sa, a->powers = pa;
	b->endpt = eb, b->slot = sb, b->powers = pb;
	for (struct vir_region *r = region_first(a); r; r = region_next(a, r))
		r->slot = sa;
	for (struct vir_region *r = region_first(b); r; r = region_next(b, r))
		r->slot = sb;
	shared_sources_swapped(ea, eb);
	MUTATED();
	sanity_changed(sa);
	sanity_changed(sb);
}

/* Who waits for the answer to an update of src and dst that requester asked for: a
 * requester that was src or dst now runs at the other endpoint (MINIX's update-aware
 * reply), anyone else where it was. */
static endpoint_t update_reply_endpt(endpoint_t requester, endpoint_t src, endpoint_t dst)
{
	if (requester == src)
		return dst;
	if (requester == dst)
		return src;
	return requester;
}

/* VM_RS_UPDATE: live update: src's and dst's address spaces change places, in the
 * kernel and in VM.  Refused with VM_ENOSYS when dst has a preallocated map and the
 * update is neither a rollback nor without mmaps (as MINIX).  A failure to install
 * the page tables swaps everything back.  A failure is answered to the sender; after
 * a swap VM answers OK itself, to the endpoint the requester now runs at (the other
 * one when it was src or dst), and returns VM_SUSPEND. */
int do_rs_update(message *m)
{
	struct vmproc *src = proc_target(m->u.rs_update.src), *dst = proc_target(m->u.rs_update.dst);
	int err;

	if (!src || !dst || src == dst)
		return VM_EINVAL;
	if (!(m->u.rs_update.flags & (SF_VM_ROLLBACK | SF_VM_NOMMAP)) && prealloc_map(dst))
		return VM_ENOSYS;
	if ((err = kc_update(src->endpt, dst->endpt)) != VM_OK)
		return err;
	swap_procs(src, dst);
	if (FAULT_POINT(KC_ADDRSPACE) || pt_bind(&src->pt, src->endpt) != VM_OK ||
	    pt_bind(&dst->pt, dst->endpt) != VM_OK) {
		swap_procs(src, dst);
		kc_update(src->endpt, dst->endpt);
		pt_bind(&src->pt, src->endpt);
		pt_bind(&dst->pt, dst->endpt);
		return VM_ENOMEM;
	}
	vm_reply_to(update_reply_endpt(m->m_source, src->endpt, dst->endpt), m, VM_OK);
	return VM_SUSPEND;
}

/* Grow dst's heap to the length of src's (never shrinks it). */
static int prepare_heap(struct vmproc *dst, struct vmproc *src)
{
	struct vir_region *sh = region_find(src, src->heap_base), *dh = region_find(dst, dst->heap_base);

	if (!sh || sh->vaddr != src->heap_base || sh->length <= (dh ? dh->length : 0))
		return VM_OK;
	if (!dh || dh->vaddr != dst->heap_base)
		return VM_ENOMEM;
	return map_extend_upto(dst, dh, dh->vaddr + sh->length);
}

/* True when every anonymous region of src in the mmap range is free in dst. */
static int mmaps_fit(struct vmproc *dst, struct vmproc *src)
{
	for (struct vir_region *r = region_find_ge(src, MMAP_BASE); r && r->vaddr < MMAP_TOP; r = region_next(src, r))
		if (r->type == &mem_type_anon && !map_range_free(dst, r->vaddr, r->length))
			return 0;
	return 1;
}

/* Undo a partial prepare: free dst's copies of src's mmap regions below `upto` and cut
 * dst's heap back to heap_pages pages. */
static void prepare_undo(struct vmproc *dst, struct vmproc *src, uint32_t upto, uint32_t heap_pages)
{
	struct vir_region *dh = region_find(dst, dst->heap_base);

	for (struct vir_region *r = region_find_ge(src, MMAP_BASE); r && r->vaddr < upto; r = region_next(src, r)) {
		struct vir_region *c = r->type == &mem_type_anon ? region_find(dst, r->vaddr) : NULL;
		if (c)
			map_free_region(dst, c);
	}
	if (dh && dh->vaddr == dst->heap_base && region_npages(dh) > heap_pages)
		map_truncate(dst, dh, heap_pages);
}

/* VM_RS_PREPARE: make dst ready to take over src's state: its heap as large as src's
 * and, unless SF_VM_NOMMAP, src's anonymous mmap regions shared copy-on-write at the
 * same addresses.  VM_ENOMEM when one of those addresses is taken in dst or memory
 * runs out; a failure leaves dst as it was. */
int do_rs_prepare(message *m)
{
	struct vmproc *src = proc_target(m->u.rs_prepare.src), *dst = proc_target(m->u.rs_prepare.dst);
	struct vir_region *dh, *r;
	uint32_t heap_pages;
	int err;

	if (!src || !dst || src == dst)
		return VM_EINVAL;
	if (!(m->u.rs_prepare.flags & SF_VM_NOMMAP) && !mmaps_fit(dst, src))
		return VM_ENOMEM;
	dh = region_find(dst, dst->heap_base);
	heap_pages = dh && dh->vaddr == dst->heap_base ? region_npages(dh) : 0;
	if ((err = prepare_heap(dst, src)) != VM_OK)
		return err;
	if (m->u.rs_prepare.flags & SF_VM_NOMMAP)
		return VM_OK;
	for (r = region_find_ge(src, MMAP_BASE); r && r->vaddr < MMAP_TOP; r = region_next(src, r)) {
		if (r->type == &mem_type_anon && (err = map_share_region(dst, src, r)) != VM_OK) {
			prepare_undo(dst, src, r->vaddr, heap_pages);
			return err;
		}
	}
	kc_flush_tlb(src->endpt);
	return VM_OK;
}
