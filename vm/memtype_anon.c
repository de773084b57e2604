/* memtype_anon.c - anonymous, demand-zero memory with copy-on-write sharing. */
#include "vm.h"

/* Back page idx of r with a fresh zeroed page. */
int anon_fill_page(struct vir_region *r, uint32_t idx)
{
	struct phys_block *pb;
	uint32_t phys;

	if (FAULT_POINT(PAGE_ALLOC))
		return VM_ENOMEM;
	phys = mem_alloc(1, MEMF_CLEAR);
	if (phys == PHYS_NONE)
		return VM_ENOMEM;
	pb = pb_new(phys);
	if (!pb)
		goto free_page;
	if (pb_reference(r, idx, pb) != VM_OK)
		goto free_pb;
	return VM_OK;
free_pb:
	pb_free(pb);
free_page:
	mem_free(phys, 1);
	return VM_ENOMEM;
}

/* Give page idx of r a private copy of its shared page. */
int anon_copy_page(struct vir_region *r, uint32_t idx)
{
	struct phys_block *pb = pb_copy(region_page(r, idx)->ph);

	if (!pb)
		return VM_ENOMEM;
	pb_relink(r, idx, pb);
	return VM_OK;
}

/* A fault on page idx: fill a missing page; on a write to a shared page, copy it
 * (a private region) or move the private copy-on-write sharers off it (a region
 * that is shared memory, i.e. the source of a VM_REMAP). */
static int anon_pagefault(struct vir_region *r, uint32_t idx, int write)
{
	struct phys_region *pr = region_page(r, idx);

	if (!pr)
		return anon_fill_page(r, idx);
	if (!write || pr->ph->refcount == 1)
		return VM_OK;
	if (!(r->flags & VR_SHARED))
		return anon_copy_page(r, idx);
	return pb_private_sharers(pr->ph) ? map_split_private(pr->ph) : VM_OK;
}

/* Writable in a writable region while the page is not shared with a private
 * (copy-on-write) sharer: unshared, or shared memory shared only as such. */
static int anon_writable(const struct vir_region *r, uint32_t idx)
{
	const struct phys_region *pr = region_page(r, idx);

	if (!(r->flags & VR_WRITABLE) || !pr)
		return 0;
	if (pr->ph->refcount == 1)
		return 1;
	return (r->flags & VR_SHARED) && pb_private_sharers(pr->ph) == 0;
}

const struct mem_type mem_type_anon = {
	.name = "anon",
	.ev_pagefault = anon_pagefault,
	.writable = anon_writable,
};
