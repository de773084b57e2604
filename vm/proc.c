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
	sanity_changed(slot);
}

/* The powers the boot process at slot holds: the boot RS and VFS map for others and
 * clear address spaces, VFS also makes memory present for copies, PM reads usage. */
uint32_t proc_boot_powers(int32_t slot)
{
	switch (slot) {
	case PM_PROC_NR: return POWER_RUSAGE;
	case VFS_PROC_NR: return POWER_EXEC | POWER_HANDLEMEM;
	case RS_PROC_NR: return POWER_EXEC;
	default: return 0;
	}
}

/* True when vmp holds every power of `power` (its own, never its slot's). */
int proc_has_power(const struct vmproc *vmp, uint32_t power)
{
	return (vmp->powers & power) == power;
}

/* VM_OK when vmp holds `power`, else VM_EPERM with an acl_deny trace for call c. */
int proc_require_power(const struct vmproc *vmp, uint32_t power, int c)
{
	if (proc_has_power(vmp, power))
		return VM_OK;
	seam_trace(TR_ACL_DENY, vmp->endpt, c);
	return VM_EPERM;
}
