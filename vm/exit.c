/* exit.c - VM_WILLEXIT and VM_EXIT: the two-step end of a process (from PM). */
#include "vm.h"

/* The process named by an endpoint field, or NULL with *err set: VM_EINVAL for a bad
 * endpoint, VM_EPERM for VM itself. */
static struct vmproc *exit_target(endpoint_t ep, int *err)
{
	struct vmproc *vmp = proc_target(ep);

	*err = ep == vm.self ? VM_EPERM : VM_EINVAL;
	return vmp;
}

/* VM_WILLEXIT: mark the process as exiting. */
int do_willexit(message *m)
{
	int err;
	struct vmproc *vmp = exit_target(m->u.willexit.endpt, &err);

	if (!vmp)
		return err;
	vmp->flags |= VMF_EXITING;
	MUTATED();
	sanity_changed(vmp->slot);
	return VM_OK;
}

/* Free everything a process owns in VM and in the kernel and free its slot; its DMA
 * ranges stay (marked exited) until VM_DELDMA; its watchers get an exit event. */
void proc_destroy(struct vmproc *vmp)
{
	endpoint_t ep = vmp->endpt;

	dma_owner_exits(vmp);
	vfs_owner_exits(vmp);
	watch_proc_exits(vmp);
	map_free_proc(vmp);
	pt_free(&vmp->pt);
	acl_clear(vmp);
	proc_clear(vmp);
	kc_exit(ep);
}

/* VM_EXIT: free an announced process (VM_EINVAL when WILLEXIT did not come first). */
int do_exit(message *m)
{
	int err;
	struct vmproc *vmp = exit_target(m->u.exit.endpt, &err);

	if (!vmp)
		return err;
	if (!(vmp->flags & VMF_EXITING))
		return VM_EINVAL;
	proc_destroy(vmp);
	return VM_OK;
}
