/* kcalls.c - the kernel calls of include/seam.h, on the hosted kernel model.
 *
 * Every call counts in kmodel.kcalls.  An endpoint argument must be live (in use,
 * current generation) and not VM itself unless stated otherwise; anything else
 * gives VM_EINVAL.  The checks follow kernel/kcall.c so a conversation gets the same
 * answers in the image.  Fault injection is not done here: VM checks its
 * FAULT_POINT before calling. */
#include <string.h>
#include "stubs.h"

/* Device window a privileged process may map (legacy VGA memory and BIOS ROM). */
#define DEV_WINDOW_BASE 0xA0000u
#define DEV_WINDOW_TOP  0x100000u

/* The live entry of ep, counting the call; NULL when ep is dead or VM. */
static struct kproc *kcall_target(endpoint_t ep)
{
	kmodel.kcalls++;
	return ep_slot(ep) == VM_PROC_NR ? NULL : kproc_live(ep);
}

/* The next generation of a slot; wraps from EP_MAX_GENERATION to 1. */
static int32_t next_generation(int32_t g)
{
	return g >= EP_MAX_GENERATION ? 1 : g + 1;
}

/* child_slot gets a new generation of its endpoint, in use and stopped, without an
 * address space until kc_addrspace.  VM_EINVAL for a dead or killed parent or a
 * slot out of range, VM_EBUSY when the slot is taken. */
int kc_fork(endpoint_t parent, int32_t child_slot, endpoint_t *child_ep)
{
	struct kproc *kp, *par = kcall_target(parent);

	if (!par || (par->flags & KP_KILLED) || child_slot < 0 || child_slot >= NR_PROCS || !child_ep)
		return VM_EINVAL;
	kp = &kmodel.proc[child_slot];
	if (kp->flags & KP_INUSE)
		return VM_EBUSY;
	kp->generation = next_generation(kp->generation);
	kp->endpt = ep_make(kp->generation, child_slot);
	kp->flags = KP_INUSE | KP_STOPPED;
	kp->pdir = 0;
	kp->last_signal = 0;
	kp->ever_used = 1;
	kmodel_slot_changed(kp);
	*child_ep = kp->endpt;
	return VM_OK;
}

/* Free the slot of a forked child that never ran.  Its generation is spent, as in
 * the image: the next fork there gets a new one.  VM_EINVAL unless child is live,
 * still stopped and not a boot process (generation 0). */
int kc_fork_abort(endpoint_t child)
{
	struct kproc *kp = kcall_target(child);

	if (!kp || !(kp->flags & KP_STOPPED) || kp->generation == 0)
		return VM_EINVAL;
	kp->flags = 0;
	kp->pdir = 0;
	kmodel_slot_changed(kp);
	return VM_OK;
}

/* Free ep's slot; its generation stays so the next fork there gets a new one. */
int kc_exit(endpoint_t ep)
{
	struct kproc *kp = kcall_target(ep);

	if (!kp)
		return VM_EINVAL;
	kp->flags = 0;
	kp->pdir = 0;
	kmodel_slot_changed(kp);
	return VM_OK;
}

/* True when the directory at pdir (in RAM) holds the kernel's supervisor PDEs. */
static int kernel_pdes_intact(uint32_t pdir)
{
	return memcmp(ram_view(pdir), kmodel.kern_pde, sizeof kmodel.kern_pde) == 0;
}

/* Bind a page-aligned directory inside RAM that maps the kernel, and let the
 * process run. */
int kc_addrspace(endpoint_t ep, uint32_t pdir_phys)
{
	struct kproc *kp = kcall_target(ep);

	if (!kp || pdir_phys == 0 || (pdir_phys & PAGE_MASK) || !ram_range_ok(pdir_phys, PAGE_SIZE) ||
	    !kernel_pdes_intact(pdir_phys))
		return VM_EINVAL;
	kp->pdir = pdir_phys;
	kp->flags &= ~(uint32_t)KP_STOPPED;
	return VM_OK;
}

int kc_flush_tlb(endpoint_t ep)
{
	if (!kcall_target(ep))
		return VM_EINVAL;
	kmodel.tlb_flushes++;
	return VM_OK;
}

/* Resume ep; VM_EINVAL when it is not blocked on a page fault. */
int kc_clear_pagefault(endpoint_t ep)
{
	struct kproc *kp = kcall_target(ep);

	if (!kp || !(kp->flags & KP_PAGEFAULT))
		return VM_EINVAL;
	kp->flags &= ~(uint32_t)KP_PAGEFAULT;
	return VM_OK;
}

/* Stop ep for good with signal sig (1..63); the first signal is the one kept. */
int kc_kill(endpoint_t ep, int sig)
{
	struct kproc *kp = kcall_target(ep);

	if (!kp || sig <= 0 || sig >= 64)
		return VM_EINVAL;
	if (!(kp->flags & KP_KILLED)) {
		kp->flags |= KP_KILLED;
		kp->last_signal = sig;
	}
	return VM_OK;
}

/* Translate one access of a copy.  For VM itself an address is physical (VM's window
 * onto RAM is the identity in the image too); for others it is a user access
 * through the page tables.  VM_OK with *phys, else VM_EFAULT. */
static int copy_translate(endpoint_t ep, uint32_t addr, int write, uint32_t *phys)
{
	if (ep_slot(ep) == VM_PROC_NR) {
		if (!ram_range_ok(addr, 1))
			return VM_EFAULT;
		*phys = addr;
		return VM_OK;
	}
	if (mmu_walk(kproc_live(ep), addr, write, phys) != VM_OK || !ram_range_ok(*phys, 1))
		return VM_EFAULT;
	return VM_OK;
}

/* Check (copy == 0) or perform (copy == 1) the copy chunk by chunk, each chunk
 * within one page on both sides. */
static int copy_pass(endpoint_t src, uint32_t sa, endpoint_t dst, uint32_t da, uint32_t len, int copy)
{
	while (len) {
		uint32_t sp, dp, n = len;

		if (n > PAGE_SIZE - (sa & PAGE_MASK))
			n = PAGE_SIZE - (sa & PAGE_MASK);
		if (n > PAGE_SIZE - (da & PAGE_MASK))
			n = PAGE_SIZE - (da & PAGE_MASK);
		if (copy_translate(src, sa, 0, &sp) || copy_translate(dst, da, 1, &dp))
			return VM_EFAULT;
		if (copy)
			memmove(phys_ptr(dp, n), ram_view(sp), n);
		sa += n, da += n, len -= n;
	}
	return VM_OK;
}

/* Copy between two live address spaces (VM_PROC_NR = VM's physical window).  The
 * whole range is checked before a byte moves: an unmapped source, an unmapped or
 * read-only destination, or a range that wraps gives VM_EFAULT and copies nothing;
 * no page fault is raised.  VM_EINVAL for a dead endpoint. */
int kc_copy(endpoint_t src, uint32_t src_addr, endpoint_t dst, uint32_t dst_addr, uint32_t len)
{
	uint32_t end;

	kmodel.kcalls++;
	if (!kproc_live(src) || !kproc_live(dst))
		return VM_EINVAL;
	if (len == 0)
		return VM_OK;
	if (__builtin_add_overflow(src_addr, len - 1, &end) || __builtin_add_overflow(dst_addr, len - 1, &end))
		return VM_EFAULT;
	if (copy_pass(src, src_addr, dst, dst_addr, len, 0))
		return VM_EFAULT;
	return copy_pass(src, src_addr, dst, dst_addr, len, 1);
}

/* The processes in the MEM and TTY slots may map the device window
 * [DEV_WINDOW_BASE, DEV_WINDOW_TOP); everything else is VM_EPERM.  (No boot process
 * sits in those slots: only a process forked there gets the privilege.) */
int kc_privquery_mem(endpoint_t ep, uint32_t phys, uint32_t len)
{
	int32_t slot = ep_slot(ep);
	int priv;

	if (!kcall_target(ep))
		return VM_EPERM;
	priv = slot == MEM_PROC_NR || slot == TTY_PROC_NR;
	if (!priv || phys < DEV_WINDOW_BASE || phys > DEV_WINDOW_TOP || len > DEV_WINDOW_TOP - phys)
		return VM_EPERM;
	return VM_OK;
}

/* Live update: the two slots swap their running state (flags, directory, signal);
 * each slot keeps its endpoint and generation, as after MINIX's sys_update.
 * VM_EBUSY while either is blocked on a page fault or killed. */
int kc_update(endpoint_t a, endpoint_t b)
{
	struct kproc *ka = kcall_target(a), *kb = kproc_live(b), t;

	if (!ka || !kb || ka == kb || ep_slot(b) == VM_PROC_NR)
		return VM_EINVAL;
	if ((ka->flags | kb->flags) & (KP_PAGEFAULT | KP_KILLED))
		return VM_EBUSY;
	t = *ka;
	ka->flags = kb->flags, ka->pdir = kb->pdir, ka->last_signal = kb->last_signal;
	kb->flags = t.flags, kb->pdir = t.pdir, kb->last_signal = t.last_signal;
	kmodel_slot_changed(ka);
	kmodel_slot_changed(kb);
	return VM_OK;
}
