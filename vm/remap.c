/* remap.c - VM_REMAP, VM_REMAP_RO and VM_SHM_UNMAP: the IPC server's shared memory.
 * REMAP shows a whole anonymous region of src in dst; from then on the source region
 * is shared memory too (written in place, never copy-on-write). */
#include "vm.h"

/* The process an endpoint field names (SELF: the caller). */
static struct vmproc *remap_proc(const message *m, endpoint_t ep)
{
	return proc_target(ep == SELF ? m->m_source : ep);
}

/* VM_REMAP / VM_REMAP_RO: map src's region that starts at src_addr, whose length is
 * size rounded to pages, into dst (at dst_addr when that is free, else in the mmap
 * range); replies ret_addr.  VM_EINVAL for bad sizes or endpoints, VM_EFAULT when
 * no anonymous region starts at src_addr with that length, VM_ENOMEM without room. */
int do_remap(message *m)
{
	struct vmproc *dst = remap_proc(m, m->u.remap.dst), *src = remap_proc(m, m->u.remap.src);
	uint32_t len, flags = VR_SHARED;
	struct vir_region *s, *r;
	int err;

	if ((int32_t)m->u.remap.size <= 0 || !dst || !src)
		return VM_EINVAL;
	if (page_roundup(m->u.remap.size, &len))
		return VM_EINVAL;
	s = region_find(src, m->u.remap.src_addr);
	if (!s || s->vaddr != m->u.remap.src_addr || s->length != len || s->type != &mem_type_anon)
		return VM_EFAULT;
	if (m->m_type == VM_REMAP)
		flags |= VR_WRITABLE;
	r = map_new_region(dst, m->u.remap.dst_addr, len, flags, &mem_type_shared, 0, &err);
	if (!r)
		return err;
	r->src_endpt = src->endpt;
	r->src_vaddr = s->vaddr;
	r->src_id = s->id;
	r->src_pgoff = 0;
	if (!(s->flags & VR_SHARED)) {
		s->flags |= VR_SHARED;
		map_protect_region(src, s); /* its pages may now be writable in place */
		kc_flush_tlb(src->endpt);
	}
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
