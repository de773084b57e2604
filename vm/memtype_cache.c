/* memtype_cache.c - a region showing block-cache pages (VM_MAPCACHEPAGE).  Every
 * page is linked when the region is made; it is shared memory, so a write moves any
 * private copy-on-write sharer (the page's former owner) to a copy of its own. */
#include "vm.h"

/* Every page is linked when the region is made; a write frees it of private sharers. */
static int cache_pagefault(struct vir_region *r, uint32_t idx, int write)
{
	struct phys_region *pr = region_page(r, idx);

	if (!pr)
		return VM_EFAULT;
	if (write && pb_private_sharers(pr->ph))
		return map_split_private(pr->ph);
	return VM_OK;
}

static int cache_writable(const struct vir_region *r, uint32_t idx)
{
	const struct phys_region *pr = region_page(r, idx);

	return (r->flags & VR_WRITABLE) && pr && pb_private_sharers(pr->ph) == 0;
}

const struct mem_type mem_type_cache = {
	.name = "cache",
	.ev_pagefault = cache_pagefault,
	.writable = cache_writable,
};
