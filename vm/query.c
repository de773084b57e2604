/* query.c - VM_GETPHYS and VM_GETREF: the physical page and the share count behind
 * an address of a process (for the IPC server's shared memory). */
#include "vm.h"

/* The page reference behind addr in endpt, or NULL with *err: VM_EINVAL for a bad
 * endpoint, VM_EFAULT when no page backs addr. */
static struct phys_region *page_behind(endpoint_t endpt, uint32_t addr, int *err)
{
	struct vmproc *vmp = proc_target(endpt);
	struct vir_region *r;
	struct phys_region *pr;

	*err = VM_EINVAL;
	if (!vmp)
		return NULL;
	*err = VM_EFAULT;
	r = region_find(vmp, addr);
	if (!r || !(pr = region_page(r, (addr - r->vaddr) >> PAGE_SHIFT)))
		return NULL;
	*err = VM_OK;
	return pr;
}

/* VM_GETPHYS: replies ret_addr, the physical address of addr. */
int do_getphys(message *m)
{
	int err;
	struct phys_region *pr = page_behind(m->u.getphys.endpt, m->u.getphys.addr, &err);

	if (!pr)
		return err;
	m->u.getphys.ret_addr = pr->ph->phys + (m->u.getphys.addr & PAGE_MASK);
	return VM_OK;
}

/* VM_GETREF: replies retc, how many page references share addr's page. */
int do_getref(message *m)
{
	int err;
	struct phys_region *pr = page_behind(m->u.getref.endpt, m->u.getref.addr, &err);

	if (!pr)
		return err;
	m->u.getref.retc = (int32_t)pr->ph->refcount;
	return VM_OK;
}
