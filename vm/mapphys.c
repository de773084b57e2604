/* mapphys.c - VM_MAP_PHYS and VM_UNMAP_PHYS: map physical memory (a device window)
 * into a process, and take such a mapping away. */
#include "vm.h"

/* The process a map_phys/unmap_phys names: the caller for SELF; another process
 * only for the boot VFS and RS (POWER_EXEC; unlike MINIX, which let any caller map
 * into or unmap from anyone).  NULL with *err set. */
static struct vmproc *phys_target(const message *m, endpoint_t ep, int *err)
{
	struct vmproc *caller = proc_get(m->m_source), *t = ep == SELF ? caller : proc_target(ep);

	*err = VM_OK;
	if (!t) {
		*err = VM_EINVAL;
		return NULL;
	}
	if (t != caller && (*err = proc_require_power(caller, POWER_EXEC, m->m_type - VM_RQ_BASE)) != VM_OK)
		return NULL;
	return t;
}

/* VM_MAP_PHYS: map [phaddr, phaddr+len) into the target's mmap range; replies the
 * address that phaddr appears at.  The kernel decides whether the target may map
 * that range (VM_EPERM otherwise).  len is unsigned (as MINIX): 2 GiB and more go
 * to the kernel's check like any length; only 0 or a page-rounded range that wraps
 * past 4 GiB is VM_EINVAL, and VM_ENOMEM when the window does not fit. */
int do_map_phys(message *m)
{
	uint32_t phaddr = m->u.map_phys.phaddr, off = phaddr & PAGE_MASK, len, last;
	struct vir_region *r;
	struct vmproc *vmp;
	int err;

	if (!(vmp = phys_target(m, m->u.map_phys.endpt, &err)))
		return err;
	if (m->u.map_phys.len == 0 || add_wraps(off, m->u.map_phys.len, &len) ||
	    page_roundup(len, &len) || add_wraps(phaddr - off, len - 1, &last))
		return VM_EINVAL;
	if (kc_privquery_mem(vmp->endpt, phaddr - off, len) != VM_OK) {
		seam_trace(TR_ACL_DENY, m->m_source, VMC_MAP_PHYS);
		return VM_EPERM;
	}
	r = map_new_region(vmp, 0, len, VR_WRITABLE | VR_DIRECT, &mem_type_directphys, 0, &err);
	if (!r)
		return err;
	r->phys_base = phaddr - off;
	m->u.map_phys.reply = r->vaddr + off;
	return VM_OK;
}

/* VM_UNMAP_PHYS: remove the whole region that holds vaddr (page-aligned) in the
 * target; only a VM_MAP_PHYS region can go this way.  VM_EFAULT for an unaligned
 * vaddr (as MINIX), a region of another type, or none there. */
int do_unmap_phys(message *m)
{
	struct vir_region *r;
	struct vmproc *vmp;
	int err;

	if (!(vmp = phys_target(m, m->u.unmap_phys.endpt, &err)))
		return err;
	if (!page_aligned(m->u.unmap_phys.vaddr))
		return VM_EFAULT;
	r = region_find(vmp, m->u.unmap_phys.vaddr);
	if (!r || r->type != &mem_type_directphys)
		return VM_EFAULT;
	map_free_region(vmp, r);
	kc_flush_tlb(vmp->endpt);
	return VM_OK;
}
