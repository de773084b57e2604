/* signal.c - VM_PUSH_SIG (from PM): room for a signal frame on a process's stack (the
 * 2010 MINIX VM call, with this VM's hardened semantics).
 *
 * PM passes the process's stack pointer sp (it reads the registers; VM has no kernel
 * call for them).  The frame is the VM_SIGFRAME_BYTES below sp.  VM makes those bytes
 * present and writable, as write faults would (copy-on-write pages are copied), so
 * the kernel can write the frame without a page fault.  The stack does not grow: the
 * frame must lie in writable regions the process already has (as MINIX, whose
 * handle_memory failed outside a region). */
#include "vm.h"

/* VM_OK when every byte of [addr, addr+len) (len > 0, no wrap) lies in a writable
 * region of vmp; VM_EFAULT otherwise.  Changes nothing. */
static int frame_writable(struct vmproc *vmp, uint32_t addr, uint32_t len)
{
	uint32_t last = addr + len - 1;

	for (uint32_t va = addr;;) {
		struct vir_region *r = region_find(vmp, va);

		if (!r || !(r->flags & VR_WRITABLE))
			return VM_EFAULT;
		if (last - r->vaddr < r->length) /* the region covers the rest */
			return VM_OK;
		va = r->vaddr + r->length;
	}
}

/* VM_PUSH_SIG: prepare [sp - VM_SIGFRAME_BYTES, sp) of endpt and answer its start in
 * frame.  VM_EINVAL for a bad, stale or free endpoint, VM itself or an exiting
 * process; VM_EFAULT when sp is below VM_SIGFRAME_BYTES or any byte of the frame is
 * outside a writable region; VM_ENOMEM when memory runs out (pages made present
 * before that stay, as after the equivalent faults). */
int do_push_sig(message *m)
{
	struct vm_pl_push_sig *ps = &m->u.push_sig;
	struct vmproc *vmp = proc_target(ps->endpt);
	uint32_t frame;
	int err;

	if (!vmp || (vmp->flags & VMF_EXITING))
		return VM_EINVAL;
	if (ps->sp < VM_SIGFRAME_BYTES)
		return VM_EFAULT;
	frame = ps->sp - VM_SIGFRAME_BYTES;
	if ((err = frame_writable(vmp, frame, VM_SIGFRAME_BYTES)) != VM_OK)
		return err;
	if ((err = map_prefault(vmp, frame, VM_SIGFRAME_BYTES, 1)) != VM_OK)
		return err;
	ps->frame = frame;
	return VM_OK;
}
