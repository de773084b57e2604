/* memtype_directphys.c - a window onto physical memory VM does not own (device
 * memory, VM_MAP_PHYS).  Pages are linked on demand and never freed by VM; sharing
 * after fork does not make them copy-on-write. */
#include "vm.h"

/* Link page idx of r to the physical page it stands for. */
static int directphys_pagefault(struct vir_region *r, uint32_t idx, int write)
{
	struct phys_block *pb;

	(void)write;
	if (region_page(r, idx))
		return VM_OK;
	pb = pb_new(r->phys_base + (idx << PAGE_SHIFT));
	if (!pb)
		return VM_ENOMEM;
	pb->flags |= PBF_DEVICE;
	if (pb_reference(r, idx, pb) != VM_OK) {
		pb_free(pb);
		return VM_ENOMEM;
	}
	return VM_OK;
}

static int directphys_writable(const struct vir_region *r, uint32_t idx)
{
	return (r->flags & VR_WRITABLE) && region_page(r, idx);
}

const struct mem_type mem_type_directphys = {
	.name = "directphys",
	.ev_pagefault = directphys_pagefault,
	.writable = directphys_writable,
};
