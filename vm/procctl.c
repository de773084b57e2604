/* procctl.c - VM_PROCCTL (exec support from RS and VFS) and VM_GETRUSAGE (PM). */
#include "vm.h"
#include "vm_info.h"

/* The power the caller of m needs for call c: VM_OK, or VM_EPERM traced as a denial. */
static int caller_needs(const message *m, uint32_t power, int c)
{
	return proc_require_power(proc_get(m->m_source), power, c);
}

/* VMPPARAM_CLEAR: give vmp an empty address space (for exec).  The new page
 * directory is made and installed first, so a failure changes nothing. */
static int procctl_clear(struct vmproc *vmp)
{
	struct pt fresh;
	int err;

	if ((err = pt_new(&fresh)) != VM_OK)
		return err;
	if (FAULT_POINT(KC_ADDRSPACE) || (err = pt_bind(&fresh, vmp->endpt)) != VM_OK) {
		pt_free(&fresh);
		return err ? err : VM_ENOMEM;
	}
	map_free_proc(vmp);
	pt_free(&vmp->pt);
	vmp->pt = fresh;
	vmp->heap_base = 0;
	vfs_space_replaced(vmp);
	sanity_changed(vmp->slot);
	return VM_OK;
}

/* VM_PROCCTL: CLEAR (POWER_EXEC: the boot RS or VFS) or HANDLEMEM (POWER_HANDLEMEM:
 * the boot VFS; make [m1, m1+len) of who present, writable when flags is non-zero;
 * len is unsigned, so 2 GiB and more are walked like any length: map_prefault).
 * VM_EPERM for another caller, VM_EINVAL for a bad target or param. */
int do_procctl(message *m)
{
	struct vmproc *vmp = proc_target(m->u.procctl.who);

	switch (m->u.procctl.param) {
	case VMPPARAM_CLEAR:
		if (caller_needs(m, POWER_EXEC, VMC_PROCCTL) != VM_OK)
			return VM_EPERM;
		if (!vmp)
			return VM_EINVAL;
		return procctl_clear(vmp);
	case VMPPARAM_HANDLEMEM:
		if (caller_needs(m, POWER_HANDLEMEM, VMC_PROCCTL) != VM_OK)
			return VM_EPERM;
		if (!vmp)
			return VM_EINVAL;
		return map_prefault(vmp, m->u.procctl.m1, m->u.procctl.len, m->u.procctl.flags != 0);
	default:
		return VM_EINVAL;
	}
}

/* VM_GETRUSAGE (POWER_RUSAGE: the boot PM only): write the memory usage of endpt to addr in PM. */
int do_getrusage(message *m)
{
	struct vmproc *vmp = proc_target(m->u.getrusage.endpt);
	struct vm_rusage_info ru;
	uint32_t pages = 0;

	if (caller_needs(m, POWER_RUSAGE, VMC_GETRUSAGE) != VM_OK)
		return VM_EPERM;
	if (!vmp)
		return VM_ESRCH;
	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r))
		for (REGION_EACH_PAGE(r, i))
			pages++;
	if (pages > vmp->pages_max) {
		vmp->pages_max = pages;
		MUTATED();
	}
	ru.maxrss = vmp->pages_max * (PAGE_SIZE / 1024);
	ru.minflt = vmp->minflt;
	ru.majflt = vmp->majflt;
	return copy_to_proc(m->m_source, m->u.getrusage.addr, &ru, sizeof(ru));
}
