/* proc.c - endpoints and VM's process table. */
#include "vm.h"

/* Map a live endpoint to its slot.  VM_EINVAL when the slot is out of range (kernel
 * tasks, ANY/NONE/SELF, garbage), VM_EDEADEPT when the slot is free or the generation
 * is stale. */
int vm_isokendpt(endpoint_t ep, int32_t *slot)
{
	int32_t s = ep_slot(ep);

	if (s < 0 || s >= NR_PROCS)
		return VM_EINVAL;
	if (!(vm.proc[s].flags & VMF_INUSE) || vm.proc[s].endpt != ep)
		return VM_EDEADEPT;
	*slot = s;
	return VM_OK;
}

/* The process of a live endpoint, or NULL. */
struct vmproc *proc_get(endpoint_t ep)
{
	int32_t s;

	if (vm_isokendpt(ep, &s) != VM_OK)
		return NULL;
	return &vm.proc[s];
}

/* The process an endpoint field names: live and not VM itself (VM is never the
 * target of a request), or NULL. */
struct vmproc *proc_target(endpoint_t ep)
{
	struct vmproc *vmp = proc_get(ep);

	return vmp && vmp->endpt != vm.self ? vmp : NULL;
}

/* Return a slot to the free state (no regions, no page table, no ACL). */
void proc_clear(struct vmproc *vmp)
{
	int32_t slot = vmp->slot;

	vm_memset(vmp, 0, sizeof(*vmp));
	vmp->slot = slot;
	vmp->endpt = NONE;
	vmp->acl = NO_ACL;
	vmp->pt.dir_phys = PHYS_NONE;
	MUTATED();
}
