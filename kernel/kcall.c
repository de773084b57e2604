/* kcall.c - the kernel calls: the seam of VM (include/seam.h) and the console and
 * shutdown calls of the other processes.  Each call is checked against the caller's
 * kernel-call mask; endpoints are validated, never trusted. */
#include "kernel.h"

typedef int (*kcall_fn)(struct proc *caller, struct kargs *x);

/* A process VM may act on: live or killed, but never VM itself. */
static struct proc *target(endpoint_t ep, struct proc *caller)
{
	struct proc *p = proc_any(ep, caller);
	return p && p != k.vm ? p : NULL;
}

/* kc_bootinfo(struct boot_info *bi) */
static int kc_bootinfo(struct proc *caller, struct kargs *x)
{
	return copy_to_user(caller, x->a, &k.bi, sizeof(k.bi));
}

/* kc_fork(parent, child_slot) -> out = child endpoint.  The child copies the
 * parent's registers, privileges and pending reply wait; it runs after kc_addrspace. */
static int kc_fork(struct proc *caller, struct kargs *x)
{
	struct proc *par = target((endpoint_t)x->a, caller);
	int32_t slot = (int32_t)x->b;

	if (!par || (par->rts & RTS_KILLED) || slot < 0 || slot >= NR_PROCS)
		return VM_EINVAL;
	struct proc *c = &k.proc[slot];
	if (!(c->rts & RTS_SLOT_FREE))
		return VM_EBUSY;
	int32_t gen = c->gen + 1 > EP_MAX_GENERATION ? 1 : c->gen + 1;
	__builtin_memcpy(&c->tf, &par->tf, sizeof(c->tf));
	__builtin_memcpy(c->name, par->name, sizeof(c->name));
	c->priv = par->priv;
	c->gen = gen;
	c->ever_used = 1;
	c->endpt = ep_make(gen, slot);
	c->cr3 = 0;
	/* The fuzz image runs no process but VM and the agent (as the hosted model). */
	c->rts = FUZZ ? RTS_NO_ADDRSPACE | RTS_FZ_HOLD : RTS_NO_ADDRSPACE | (par->rts & RTS_RECEIVING);
	c->getfrom = par->getfrom;
	c->msg_vaddr = par->msg_vaddr;
	x->out = (uint32_t)c->endpt;
	return VM_OK;
}

/* kc_fork_abort(child): free a forked child that never ran. */
static int kc_fork_abort(struct proc *caller, struct kargs *x)
{
	struct proc *c = target((endpoint_t)x->a, caller);

	if (!c || !(c->rts & RTS_NO_ADDRSPACE) || c->gen == 0)
		return VM_EINVAL;
	proc_free(c);
	return VM_OK;
}

/* kc_exit(ep): free the slot of an exiting (or killed) process. */
static int kc_exit(struct proc *caller, struct kargs *x)
{
	struct proc *p = target((endpoint_t)x->a, caller);

	if (!p)
		return VM_EINVAL;
	if (p->slot == INIT_PROC_NR && !FUZZ)
		kpanic("init exited");
	proc_free(p);
	return VM_OK;
}

/* kc_addrspace(ep, pdir): install a directory that maps the kernel, start ep. */
static int kc_addrspace(struct proc *caller, struct kargs *x)
{
	struct proc *p = target((endpoint_t)x->a, caller);
	uint32_t pd = x->b;

	if (!p || (pd & PAGE_MASK) || pd == 0 || pd >= PHYS_MAX)
		return VM_EINVAL;
	for (uint32_t i = 0; i < KERNEL_PDE_COUNT; i++)
		if (((const uint32_t *)pd)[i] != kern_pde((int)i))
			return VM_EINVAL;
	p->cr3 = pd;
	p->rts &= ~RTS_NO_ADDRSPACE;
	return VM_OK;
}

/* kc_flush_tlb(ep): every switch reloads CR3 (no global user pages), and VM is the
 * running process, so ep's stale entries are gone before it runs again. */
static int kc_flush_tlb(struct proc *caller, struct kargs *x)
{
	return target((endpoint_t)x->a, caller) ? VM_OK : VM_EINVAL;
}

/* kc_clear_pagefault(ep): resume ep after VM handled its fault (finishing a
 * receive whose copy waited for VM).  A killed process stays stopped. */
static int kc_clear_pf(struct proc *caller, struct kargs *x)
{
	struct proc *p = target((endpoint_t)x->a, caller);

	if (!p || !(p->rts & RTS_PAGEFAULT) || p->pf_queued)
		return VM_EINVAL;
	p->rts &= ~RTS_PAGEFAULT;
	ipc_resume(p);
	return VM_OK;
}

/* kc_kill(ep, sig): no signal handlers here, so a signal stops the process. */
static int kc_kill(struct proc *caller, struct kargs *x)
{
	struct proc *p = target((endpoint_t)x->a, caller);

	if (!p || (int32_t)x->b <= 0 || (int32_t)x->b >= 64)
		return VM_EINVAL;
	if (!(p->rts & RTS_KILLED))
		proc_kill(p, (int)x->b, "kc_kill");
	return VM_OK;
}

/* kc_copy(src, src_addr, dst, dst_addr, len): through both page tables.  The whole
 * range is checked first, so a failed copy moves nothing (as the hosted model). */
static int kc_copy(struct proc *caller, struct kargs *x)
{
	struct proc *s = proc_any((endpoint_t)x->a, caller);
	struct proc *d = proc_any((endpoint_t)x->c, caller);

	if (!s || !d)
		return VM_EINVAL;
	if (x->e == 0)
		return VM_OK;
	if (user_range_ok(s, x->b, x->e, 0) != VM_OK || user_range_ok(d, x->d, x->e, 1) != VM_OK)
		return VM_EFAULT;
	return copy_user_user(s, x->b, d, x->d, x->e);
}

/* Device window a privileged process may map (legacy VGA memory and BIOS ROM). */
#define DEV_WINDOW_BASE 0xA0000u
#define DEV_WINDOW_TOP  0x100000u

/* kc_privquery_mem(ep, phys, len): the processes in the MEM and TTY slots may map
 * the device window; everything else is VM_EPERM (the hosted model's rule). */
static int kc_privquery_mem(struct proc *caller, struct kargs *x)
{
	int32_t slot = ep_slot((endpoint_t)x->a);
	uint32_t phys = x->b, len = x->c;

	if (!target((endpoint_t)x->a, caller) || (slot != MEM_PROC_NR && slot != TTY_PROC_NR))
		return VM_EPERM;
	if (phys < DEV_WINDOW_BASE || phys > DEV_WINDOW_TOP || len > DEV_WINDOW_TOP - phys)
		return VM_EPERM;
	return VM_OK;
}

/* kc_update(a, b): swap the execution state of two idle processes (live update);
 * each slot keeps its endpoint. */
static int kc_update(struct proc *caller, struct kargs *x)
{
	struct proc *a = target((endpoint_t)x->a, caller), *b = target((endpoint_t)x->b, caller);
	const uint32_t busy = RTS_SENDING | RTS_RECEIVING | RTS_PAGEFAULT | RTS_KILLED;

	if (!a || !b || a == b)
		return VM_EINVAL;
	if ((a->rts | b->rts) & busy || a->q_head || b->q_head)
		return VM_EBUSY;
	struct trapframe tf = a->tf;
	uint32_t cr3 = a->cr3, rts = a->rts;
	struct priv pv = a->priv;
	a->tf = b->tf, a->cr3 = b->cr3, a->rts = b->rts, a->priv = b->priv;
	b->tf = tf, b->cr3 = cr3, b->rts = rts, b->priv = pv;
	return VM_OK;
}

/* print(str, len): write a string to the console. */
static int kc_print(struct proc *caller, struct kargs *x)
{
	char buf[128];
	uint32_t left = x->b, va = x->a;

	while (left) {
		uint32_t n = left < sizeof(buf) ? left : sizeof(buf);
		if (copy_from_user(caller, va, buf, n) != VM_OK)
			return VM_EFAULT;
		kputn(buf, n);
		left -= n, va += n;
	}
	return VM_OK;
}

/* shutdown(status): end the run; 0 is success. */
static int kc_shutdown(struct proc *caller, struct kargs *x)
{
	kprintf("kernel: shutdown by %s, status %d\n", caller->name, (int32_t)x->a);
	shutdown((int)x->a);
}

static const kcall_fn kcall_table[KC_COUNT] = {
#define KC_ROW(n, NAME, name) [KC_##NAME] = kc_##name,
	KCALLS_ALL(KC_ROW)
#undef KC_ROW
};

/* The kernel-call trap: eax = number, ebx..edi = arguments; eax = result,
 * edx = extra result. */
void kcall_trap(struct proc *p)
{
	uint32_t nr = p->tf.eax;
	struct kargs x = { p->tf.ebx, p->tf.ecx, p->tf.edx, p->tf.esi, p->tf.edi, 0 };
	int r;

	if (nr >= KC_COUNT)
		r = VM_EBADCALL;
	else if (!(p->priv.kc_mask & KC_BIT(nr)))
		r = VM_ECALLDENIED;
	else
		r = kcall_table[nr](p, &x);
	p->tf.eax = (uint32_t)r;
	p->tf.edx = x.out;
}
