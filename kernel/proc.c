/* proc.c - the process table: endpoints with generations, lookup, teardown and the
 * round-robin scheduler.  The kernel is not preemptible; every trap ends in
 * sched_return(), which resumes a runnable process. */
#include "kernel.h"

/* Mark every slot free, generation 0. */
void proc_init(void)
{
	for (int s = 0; s < NR_PROCS; s++) {
		k.proc[s].slot = s;
		k.proc[s].rts = RTS_SLOT_FREE;
		k.proc[s].endpt = NONE;
	}
}

struct proc *proc_any(endpoint_t ep, struct proc *caller)
{
	if (ep == SELF)
		return caller;
	int32_t s = ep_slot(ep);
	if (s < 0 || s >= NR_PROCS)
		return NULL;
	struct proc *p = &k.proc[s];
	if ((p->rts & RTS_SLOT_FREE) || p->endpt != ep)
		return NULL;
	return p;
}

struct proc *proc_live(endpoint_t ep, struct proc *caller)
{
	struct proc *p = proc_any(ep, caller);
	return p && !(p->rts & RTS_KILLED) ? p : NULL;
}

/* Clear flag on p; if it was waiting in IPC, result becomes its return value. */
void proc_unblock(struct proc *p, uint32_t flag, int result)
{
	p->rts &= ~flag;
	if (flag & (RTS_SENDING | RTS_RECEIVING))
		p->tf.eax = (uint32_t)result;
}

void proc_detach_ipc(struct proc *p)
{
	if (p->rts & RTS_SENDING) {
		struct proc *dst = proc_any(p->sendto, p);
		if (dst)
			queue_remove(dst, p);
	}
	if (p->pf_queued && k.vm)
		queue_remove(k.vm, p);
	p->pf_queued = 0;
	while (p->q_head) {
		struct proc *q = p->q_head;
		queue_remove(p, q);
		if (q->rts & RTS_SENDING)
			proc_unblock(q, RTS_SENDING, VM_EDEADSRCDST);
	}
	for (int s = 0; s < NR_PROCS; s++) {
		struct proc *q = &k.proc[s];
		if ((q->rts & RTS_RECEIVING) && !q->held && q->getfrom == p->endpt)
			proc_unblock(q, RTS_RECEIVING, VM_EDEADSRCDST);
		q->notify_pending[p->slot / 32] &= ~(1u << (p->slot % 32));
	}
	p->rts &= ~(RTS_SENDING | RTS_RECEIVING);
	p->held = 0;
}

/* Free p's slot; its generation is kept so the next process there gets a new one. */
void proc_free(struct proc *p)
{
	proc_detach_ipc(p);
	int32_t gen = p->gen, slot = p->slot, used = p->ever_used;
	__builtin_memset(p, 0, sizeof(*p));
	p->slot = slot;
	p->gen = gen;
	p->ever_used = used;
	p->rts = RTS_SLOT_FREE;
	p->endpt = NONE;
	if (k.cur == p)
		k.cur = NULL;
}

/* Stop p for good (a signal: this kernel has no handlers).  The slot stays until VM
 * frees it with kc_exit.  Killing VM or init ends the run. */
void proc_kill(struct proc *p, int sig, const char *why)
{
	if (!FUZZ)
		kprintf("kernel: %s (endpoint %d) killed by signal %d: %s\n", p->name, p->endpt, sig, why);
	if (p == k.vm)
		kpanic("VM killed");
	if (p->slot == INIT_PROC_NR && !FUZZ)
		kpanic("init killed");
	proc_detach_ipc(p);
	p->rts |= RTS_KILLED;
}

/* The next process to run: the current one unless it blocked or its quantum
 * ended, else the next runnable slot after it (round robin). */
static struct proc *pick_next(void)
{
	struct proc *c = k.cur;

	if (c && c->rts == 0 && !k.preempt)
		return c;
	k.preempt = 0;
	int start = c && c->slot >= 0 ? c->slot + 1 : 0;
	for (int i = 0; i < NR_PROCS; i++) {
		struct proc *p = &k.proc[(start + i) % NR_PROCS];
		if (p->rts == 0)
			return p;
	}
#ifdef KERNEL_FUZZ
	if (k.fz.agent.rts == 0)
		return &k.fz.agent;
#endif
	return NULL;
}

void sched_return(void)
{
	struct proc *p = pick_next();

	if (!p)
		kpanic("every process is blocked (deadlock)");
	k.cur = p;
	if (read_cr3() != p->cr3)
		write_cr3(p->cr3);
	user_return(&p->tf);
}
