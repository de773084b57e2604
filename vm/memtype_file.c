/* memtype_file.c - a mapped file (VM_MMAP of an fd, VM_VFS_MMAP): private,
 * copy-on-write memory whose pages come from the block cache, where VFS's file system
 * puts the file's pages under (dev, inode, file offset).  A page the cache does not
 * hold is asked of VFS (VMVFSREQ_FDIO, vfs.c); bytes at or past the region's file_end
 * (the end of the file, or what VFS_MMAP's clearend cuts) read as zero.  A cached
 * block is never written through a mapping: a write copies the page first. */
#include "vm.h"

/* The file offset of page idx of r. */
static uint64_t file_page_off(const struct vir_region *r, uint32_t idx)
{
	return r->file_off + ((uint64_t)idx << PAGE_SHIFT);
}

/* Link page idx of r (at file offset off) to the cached block pb, a private
 * copy-on-write sharer (the block's other sharers' PTEs are rewritten: none may write
 * it in place any more); a page the file ends inside gets a private copy instead, its
 * bytes past file_end zeroed.  VM_OK or VM_ENOMEM (nothing linked). */
static int file_link(struct vir_region *r, uint32_t idx, struct phys_block *pb, uint64_t off)
{
	struct phys_block *copy;
	uint32_t keep;

	if (off + PAGE_SIZE <= r->file_end) {
		if (pb_reference(r, idx, pb) != VM_OK)
			return VM_ENOMEM;
		map_protect_block(pb); /* a MAPCACHEPAGE region writing the block in place loses that */
		return VM_OK;
	}
	if (!(copy = pb_copy(pb)))
		return VM_ENOMEM;
	keep = (uint32_t)(r->file_end - off);
	vm_memset((uint8_t *)phys_ptr(copy->phys, PAGE_SIZE) + keep, 0, PAGE_SIZE - keep);
	if (pb_reference(r, idx, copy) != VM_OK) {
		mem_free(copy->phys, 1);
		slab_free(copy, sizeof(*copy));
		return VM_ENOMEM;
	}
	return VM_OK;
}

/* A fault on page idx: a missing page comes from the cache (VM_SUSPEND when the cache
 * does not hold it: VFS must bring it), or is zero past file_end; a write to a shared
 * page copies it. */
static int file_pagefault(struct vir_region *r, uint32_t idx, int write)
{
	struct phys_region *pr = region_page(r, idx);
	struct phys_block *pb;
	uint64_t off = file_page_off(r, idx);
	int err;

	if (!pr) {
		if (off >= r->file_end)
			err = anon_fill_page(r, idx);
		else if (!(pb = cache_find_ino(r->file_dev, r->file_ino, off)))
			return VM_SUSPEND;
		else
			err = file_link(r, idx, pb, off);
		if (err != VM_OK)
			return err;
		pr = region_page(r, idx);
	}
	if (write && pr->ph->refcount > 1)
		return anon_copy_page(r, idx);
	return VM_OK;
}

/* Writable in a writable region while nothing else (the cache, a fork) shares the page. */
static int file_writable(const struct vir_region *r, uint32_t idx)
{
	const struct phys_region *pr = region_page(r, idx);

	return (r->flags & VR_WRITABLE) && pr && pr->ph->refcount == 1;
}

const struct mem_type mem_type_file = {
	.name = "file",
	.ev_pagefault = file_pagefault,
	.writable = file_writable,
};
