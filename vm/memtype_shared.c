/* memtype_shared.c - a region that shows the pages of another process's anonymous
 * region (VM_REMAP, the IPC server's shared memory).  A page is linked on its first
 * fault to the source's page (made present there if needed); the source is named by
 * endpoint, address and region id, and checked at every fault, so a source that has
 * gone away (or was replaced) gives SIGSEGV instead of a stale link; a live update
 * that moves the source's address space to another endpoint renames it there. */
#include "vm.h"

/* The source region of r if it still exists, or NULL. */
static struct vir_region *shared_source(const struct vir_region *r)
{
	struct vmproc *sp = proc_get(r->src_endpt);
	struct vir_region *s;

	if (!sp)
		return NULL;
	s = region_find(sp, r->src_vaddr);
	if (!s || s->vaddr != r->src_vaddr || s->id != r->src_id || s->type != &mem_type_anon)
		return NULL;
	return s;
}

/* Link page idx of r to the source's page; on a write, make the page writable in
 * place (private copy-on-write sharers get their own copy). */
static int shared_pagefault(struct vir_region *r, uint32_t idx, int write)
{
	struct phys_region *pr = region_page(r, idx);
	struct vir_region *src;
	uint32_t sidx = r->src_pgoff + idx;
	int err;

	if (!pr) {
		if (!(src = shared_source(r)) || sidx >= region_npages(src))
			return VM_EFAULT;
		if (!region_page(src, sidx) && (err = src->type->ev_pagefault(src, sidx, 0)) != VM_OK)
			return err;
		if ((err = pb_reference(r, idx, region_page(src, sidx)->ph)) != VM_OK)
			return err;
		pr = region_page(r, idx);
	}
	if (write && pb_private_sharers(pr->ph))
		return map_split_private(pr->ph);
	return VM_OK;
}

/* Writable in a writable region unless a private sharer still holds the page. */
static int shared_writable(const struct vir_region *r, uint32_t idx)
{
	const struct phys_region *pr = region_page(r, idx);

	return (r->flags & VR_WRITABLE) && pr && pb_private_sharers(pr->ph) == 0;
}

/* A live update (VM_RS_UPDATE) swapped the address spaces of endpoints a and b:
 * point every alias, in any live process (a and b included), whose source was a's
 * region at b and the other way, so an alias keeps showing its source region, which
 * moved with its space (its address and id stay).  Swapping back undoes it. */
void shared_sources_swapped(endpoint_t a, endpoint_t b)
{
	for (int32_t s = 0; s < NR_PROCS; s++) {
		struct vmproc *vmp = &vm.proc[s];
		int changed = 0;

		if (!(vmp->flags & VMF_INUSE))
			continue;
		for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r)) {
			if (r->type != &mem_type_shared || (r->src_endpt != a && r->src_endpt != b))
				continue;
			r->src_endpt = r->src_endpt == a ? b : a;
			changed = 1;
		}
		if (changed)
			sanity_changed(s);
	}
}

const struct mem_type mem_type_shared = {
	.name = "shared",
	.ev_pagefault = shared_pagefault,
	.writable = shared_writable,
};
