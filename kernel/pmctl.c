/* pmctl.c - kc_pmctl (kernel/abi.h's PMCTL_*): what PM needs of the kernel to run an
 * exec'd program and a signal handler.  PM acts only on a process that waits for its
 * reply (the sendrec of an exec, a signal's target blocked in a call to PM), so the
 * saved registers are a complete trap frame and no IPC is in flight for it. */
#include "kernel.h"

/* The process ep when it is live, not VM, and waits for caller's reply; else NULL. */
static struct proc *waiting_for(endpoint_t ep, const struct proc *caller)
{
	struct proc *p = proc_live(ep, NULL);

	if (!p || p == k.vm || p == caller || p->rts != RTS_RECEIVING || p->getfrom != caller->endpt || p->held)
		return NULL;
	return p;
}

/* End p's wait for its reply: it runs from its (new) registers. */
static void end_reply_wait(struct proc *p)
{
	p->rts &= ~RTS_RECEIVING;
	p->getfrom = NONE;
	p->sendrec = 0;
}

/* PMCTL_EXEC: the registers of a fresh image, entry ip and stack sp. */
static int pmctl_exec(struct proc *p, uint32_t ip, uint32_t sp)
{
	if (ip < USER_BASE || ip >= USER_TOP || sp <= USER_BASE || sp > USER_TOP)
		return VM_EINVAL;
	__builtin_memset(&p->tf, 0, sizeof(p->tf));
	p->tf.cs = SEL_UCODE;
	p->tf.ds = p->tf.es = p->tf.fs = p->tf.gs = p->tf.ss = SEL_UDATA;
	p->tf.eip = ip;
	p->tf.esp = sp;
	p->tf.eflags = EFLAGS_IF;
	end_reply_wait(p);
	return VM_OK;
}

/* PMCTL_SIGNAL: a call of handler(signo) on a frame VM prepared below p's stack. */
static int pmctl_signal(struct proc *p, uint32_t frame, uint32_t handler, uint32_t signo)
{
	const uint32_t call[2] = { 0, signo }; /* return address (none), argument */

	if (handler < USER_BASE || handler >= USER_TOP || signo == 0 || signo >= 64 || (frame & 3) ||
	    frame >= p->tf.esp || p->tf.esp - frame > VM_SIGFRAME_BYTES || p->tf.esp - frame < sizeof(call))
		return VM_EINVAL;
	if (copy_to_user(p, frame, call, sizeof(call)) != VM_OK)
		return VM_EFAULT;
	p->tf.esp = frame;
	p->tf.eip = handler;
	end_reply_wait(p);
	return VM_OK;
}

/* kc_pmctl(op, ep, a, b, c) */
int kc_pmctl(struct proc *caller, struct kargs *x)
{
	struct proc *p = waiting_for((endpoint_t)x->b, caller);

	if (!p)
		return VM_EINVAL;
	switch (x->a) {
	case PMCTL_EXEC:
		return pmctl_exec(p, x->c, x->d);
	case PMCTL_GETSP:
		x->out = p->tf.esp;
		return VM_OK;
	case PMCTL_SIGNAL:
		return pmctl_signal(p, x->c, x->d, x->e);
	default:
		return VM_EINVAL;
	}
}
