/* remap.c - VM_REMAP, VM_REMAP_RO and VM_SHM_UNMAP: the IPC server's shared memory.
 * REMAP shows a whole anonymous region of src in dst; from then on the source region
 * is shared memory too (written in place, never copy-on-write). */
#include "vm.h"

/* The process an endpoint field names (SELF: the caller). */
static struct vmproc *remap_proc(const message *m, endpoint_t ep)
{
	return proc_target(ep == SELF ? m->m_source : ep);
}

/* The anonymous region of src that a remap names: it starts at addr and is len bytes
 * long.  NULL with *err: VM_EINVAL when no region holds addr (as MINIX), VM_EFAULT
 * when addr is not a region's start or the region has another length or type. */
static struct vir_region *remap_source(struct vmproc *src, uint32_t addr, uint32_t len, int *err)
{
	struct vir_region *s = region_find(src, addr);

	*err = !s ? VM_EINVAL : VM_EFAULT;
	if (!s || s->vaddr != addr || s->length != len || s->type != &mem_type_anon)
		return NULL;
	*err = VM_OK;
	return s;
}

/* Make s, src's region being remapped, shared memory: first its pages that cached
 * blocks are move to the prepared private copies (cache_copies_prepare), so its and its
 * aliases' writes in place never reach the cache; then its present PTEs are rewritten
 * (pages may now be writable in place, on their new frames).  Cannot fail. */
static void remap_share_source(struct vmproc *src, struct vir_region *s, struct phys_block *copy[CACHE_MAX])
{
	uint32_t moved = cache_copies_apply(s, copy);

	if (moved == 0 && (s->flags & VR_SHARED))
		return;
	s->flags |= VR_SHARED;
	sanity_changed(src->slot);
	map_protect_region(src, s);
	kc_flush_tlb(src->endpt);
}

/* VM_REMAP / VM_REMAP_RO: map src's region that starts at src_addr, whose length is
 * size rounded to pages, into dst: exactly at dst_addr when it is not 0, else in the
 * mmap range; replies ret_addr.  size is unsigned (as MINIX): 2 GiB and more name a
 * region of that length like any size.  VM_EINVAL for size 0 or one whose rounding
 * wraps, bad endpoints, a src_addr in no region, or a dst_addr that is not
 * page-aligned (MINIX asserts); VM_EFAULT when src_addr is not the start of an
 * anonymous region of that length; VM_ENOMEM when dst_addr is taken or outside the
 * user range (as MINIX: the alias is never placed elsewhere) or there is no room or
 * memory.  The source's pages that the block cache holds are first given private copies
 * (a deviation: MINIX would write the cached block in place), so VM_ENOMEM also when no
 * copy can be had; a failure changes nothing. */
int do_remap(message *m)
{
	struct vmproc *dst = remap_proc(m, m->u.remap.dst), *src = remap_proc(m, m->u.remap.src);
	uint32_t len, flags = VR_SHARED, at = m->u.remap.dst_addr;
	struct vir_region *s, *r;
	struct phys_block *copy[CACHE_MAX];
	int err;

	if (m->u.remap.size == 0 || !dst || !src)
		return VM_EINVAL;
	if (page_roundup(m->u.remap.size, &len))
		return VM_EINVAL;
	if (!(s = remap_source(src, m->u.remap.src_addr, len, &err)))
		return err;
	if (!page_aligned(at))
		return VM_EINVAL;
	if (m->m_type == VM_REMAP)
		flags |= VR_WRITABLE;
	if ((err = cache_copies_prepare(s, copy)) != VM_OK)
		return err;
	r = map_new_region(dst, at, len, flags, &mem_type_shared, at != 0, &err);
	if (!r) {
		cache_copies_cancel(copy);
		return err;
	}
	r->src_endpt = src->endpt;
	r->src_vaddr = s->vaddr;
	r->src_id = s->id;
	r->src_pgoff = 0;
	remap_share_source(src, s, copy);
	m->u.remap.ret_addr = r->vaddr;
	return VM_OK;
}

/* VM_SHM_UNMAP: remove the whole shared region that holds addr (page-aligned) in
 * forwhom (SELF: the caller).  VM_EINVAL for a bad endpoint, VM_EFAULT for an
 * unaligned addr (as MINIX) or when no VM_REMAP region is there. */
int do_shm_unmap(message *m)
{
	struct vmproc *vmp = remap_proc(m, m->u.shm_unmap.forwhom);
	struct vir_region *r;

	if (!vmp)
		return VM_EINVAL;
	if (!page_aligned(m->u.shm_unmap.addr))
		return VM_EFAULT;
	r = region_find(vmp, m->u.shm_unmap.addr);
	if (!r || r->type != &mem_type_shared)
		return VM_EFAULT;
	map_free_region(vmp, r);
	kc_flush_tlb(vmp->endpt);
	return VM_OK;
}
