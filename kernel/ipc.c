/* ipc.c - MINIX-style rendezvous IPC: send, receive (from one endpoint or ANY),
 * sendrec, notify and non-blocking send, plus the kernel's page-fault messages.
 *
 * A blocked sender keeps a kernel copy of its message and waits on the receiver's
 * FIFO queue.  The kernel stamps m_source.  Results: VM_EDEADSRCDST for a dead or
 * stale peer, VM_ECALLDENIED for a target outside the sender's privileges,
 * VM_ELOCKED when blocking would close a cycle, VM_EFAULT for a buffer the kernel
 * cannot read or write, VM_ENOTREADY for a non-blocking send nobody receives.
 *
 * Buffers are checked when a process traps: a bad one is VM_EFAULT at once.  A
 * receive buffer that VM made unwritable while its owner was blocked (copy-on-write
 * after a fork) is VM's business: the matched message is held, the kernel asks VM
 * with a VM_PAGEFAULT on the receiver's behalf, and the copy ends the receive once VM
 * cleared the fault (VM_EFAULT if the page is still unwritable then). */
#include "kernel.h"

#define SUSPENDED 1 /* internal: the caller blocked, its result comes later */

static void queue_append(struct proc *dst, struct proc *p)
{
	struct proc **pp = &dst->q_head;

	while (*pp)
		pp = &(*pp)->q_next;
	*pp = p;
	p->q_next = NULL;
}

void queue_remove(struct proc *dst, struct proc *p)
{
	for (struct proc **pp = &dst->q_head; *pp; pp = &(*pp)->q_next)
		if (*pp == p) {
			*pp = p->q_next;
			p->q_next = NULL;
			return;
		}
}

/* True when dst is blocked in a receive that src's message satisfies. */
static int receiving_from(const struct proc *dst, endpoint_t src)
{
	return (dst->rts & RTS_RECEIVING) && !dst->held && (dst->getfrom == ANY || dst->getfrom == src);
}

static int may_send(const struct proc *from, const struct proc *to)
{
	return (from->priv.ipc_to[to->slot / 32] >> (to->slot % 32)) & 1;
}

/* Would `from` waiting on `to` close a cycle of processes waiting on each other? */
static int deadlock(const struct proc *from, const struct proc *to)
{
	const struct proc *x = to;

	for (int n = 0; x && n < NR_PROCS; n++) {
		endpoint_t next;
		if (x == from)
			return 1;
		if (x->rts & RTS_SENDING)
			next = x->sendto;
		else if ((x->rts & RTS_RECEIVING) && x->getfrom != ANY)
			next = x->getfrom;
		else
			return 0;
		x = proc_any(next, NULL);
	}
	return 0;
}

/* The first address of [va, va+len) that p cannot write, or PHYS_NONE_K. */
static uint32_t first_unwritable(const struct proc *p, uint32_t va, uint32_t len)
{
	for (uint32_t a = va; a - va < len; a = (a & ~PAGE_MASK) + PAGE_SIZE)
		if (uwalk(p->cr3, a, 1) == PHYS_NONE_K)
			return a;
	return PHYS_NONE_K;
}

/* Ask VM to make p's receive buffer writable: a VM_PAGEFAULT for a user write. */
static void fault_for_buffer(struct proc *p, uint32_t addr)
{
	p->pf_addr = addr;
	p->pf_err = PFERR_USER | PFERR_WRITE | (uwalk(p->cr3, addr, 0) != PHYS_NONE_K ? PFERR_PRESENT : 0);
	ipc_pagefault(p);
}

/* Copy m into the pending receive buffer of dst and wake it with status.  When VM
 * made the buffer unwritable meanwhile, the message is held and VM asked first. */
static int deliver(struct proc *dst, const message *m, uint32_t status)
{
	uint32_t bad = first_unwritable(dst, dst->msg_vaddr, sizeof(*m));

	if (bad != PHYS_NONE_K && dst != k.vm) {
		dst->held_msg = *m;
		dst->held_status = status;
		dst->held = 1;
		fault_for_buffer(dst, bad);
		return VM_OK;
	}
	int r = copy_to_user(dst, dst->msg_vaddr, m, sizeof(*m));
	proc_unblock(dst, RTS_RECEIVING, r);
	if (r == VM_OK)
		dst->tf.ebx = status;
	return r;
}

int ipc_deliver(struct proc *dst, const message *m, uint32_t status)
{
	return deliver(dst, m, status);
}

void ipc_resume(struct proc *p)
{
	if (!p->held || (p->rts & (RTS_KILLED | RTS_PAGEFAULT)))
		return;
	p->held = 0;
	int r = copy_to_user(p, p->msg_vaddr, &p->held_msg, sizeof(p->held_msg));
	proc_unblock(p, RTS_RECEIVING, r);
	if (r == VM_OK)
		p->tf.ebx = p->held_status;
}

/* The first half of a sendrec completed: p now waits for the reply from dst. */
static void start_reply_wait(struct proc *p, const struct proc *dst)
{
	p->rts |= RTS_RECEIVING;
	p->getfrom = dst->endpt;
}

/* Send (or, with rec, sendrec) the message at vaddr from p to dst_ep. */
static int do_send(struct proc *p, endpoint_t dst_ep, uint32_t vaddr, int nb, int rec)
{
	struct proc *dst = proc_live(dst_ep, p);
	int r;

	if (!dst || dst_ep == SELF)
		return VM_EDEADSRCDST;
	if (dst == p)
		return VM_ELOCKED;
	if (!may_send(p, dst))
		return VM_ECALLDENIED;
	if (copy_from_user(p, vaddr, &p->msg, sizeof(p->msg)) != VM_OK ||
	    (rec && user_writable(p, vaddr, sizeof(message)) != VM_OK))
		return VM_EFAULT;
	p->msg.m_source = p->endpt;
	p->msg_vaddr = vaddr;
	if (receiving_from(dst, p->endpt)) {
		if ((r = deliver(dst, &p->msg, 0)) != VM_OK)
			return r;
		if (!rec)
			return VM_OK;
		start_reply_wait(p, dst);
		return SUSPENDED;
	}
	if (nb)
		return VM_ENOTREADY;
	if (deadlock(p, dst))
		return VM_ELOCKED;
	p->rts |= RTS_SENDING;
	p->sendto = dst->endpt;
	p->sendrec = rec;
	queue_append(dst, p);
	return SUSPENDED;
}

/* A pending notification for p from src (ANY: the lowest slot): 1 and the message. */
static int take_notify(struct proc *p, endpoint_t src, message *m)
{
	for (int s = 0; s < NR_PROCS; s++) {
		uint32_t bit = 1u << (s % 32);
		if (!(p->notify_pending[s / 32] & bit) || (src != ANY && ep_slot(src) != s))
			continue;
		p->notify_pending[s / 32] &= ~bit;
		__builtin_memset(m, 0, sizeof(*m));
		m->m_source = k.proc[s].endpt;
		m->m_type = NOTIFY_MESSAGE;
		return 1;
	}
	return 0;
}

/* Build the kernel's VM_PAGEFAULT message for faulting process q. */
static void pf_message(const struct proc *q, message *m)
{
	__builtin_memset(m, 0, sizeof(*m));
	m->m_source = q->endpt;
	m->m_type = VM_PAGEFAULT;
	m->u.pagefault.addr = q->pf_addr;
	m->u.pagefault.flags = q->pf_err;
}

/* Take the first queued message for p from src (or ANY): the sender is released
 * (or moves on to the reply half of its sendrec).  1 when one was found. */
static int take_queued(struct proc *p, endpoint_t src, message *m, uint32_t *status)
{
	for (struct proc *q = p->q_head; q; q = q->q_next) {
		if (src != ANY && q->endpt != src)
			continue;
		queue_remove(p, q);
		if (q->pf_queued) {
			q->pf_queued = 0;
			pf_message(q, m);
			*status = IPC_FLG_MSG_FROM_KERNEL;
			return 1;
		}
		*m = q->msg;
		*status = 0;
		proc_unblock(q, RTS_SENDING, VM_OK);
		if (q->sendrec)
			start_reply_wait(q, p);
		return 1;
	}
	return 0;
}

/* Receive into vaddr from src (or ANY): notifications first, then queued senders. */
static int do_receive(struct proc *p, endpoint_t src, uint32_t vaddr)
{
	struct proc *from = NULL;
	message m;
	uint32_t status = 0;

	if (src != ANY && !(from = proc_live(src, p)))
		return VM_EDEADSRCDST;
	if (from == p)
		return VM_ELOCKED;
	if (user_writable(p, vaddr, sizeof(message)) != VM_OK)
		return VM_EFAULT;
	p->msg_vaddr = vaddr;
	if (take_notify(p, src, &m))
		status = IPC_FLG_NOTIFY;
	else if (!take_queued(p, from ? from->endpt : ANY, &m, &status)) {
		if (from && deadlock(p, from))
			return VM_ELOCKED;
		p->rts |= RTS_RECEIVING;
		p->getfrom = from ? from->endpt : ANY;
#ifdef KERNEL_FUZZ
		if (p == k.vm)
			fz_vm_idle(); /* may deliver the agent's next message at once */
#endif
		return SUSPENDED;
	}
	if (copy_to_user(p, vaddr, &m, sizeof(m)) != VM_OK)
		return VM_EFAULT;
	p->tf.ebx = status;
	return VM_OK;
}

/* Post a notification from p to dst_ep: delivered now if dst waits for it. */
static int do_notify(struct proc *p, endpoint_t dst_ep)
{
	struct proc *dst = proc_live(dst_ep, p);
	message m;

	if (!dst || dst_ep == SELF)
		return VM_EDEADSRCDST;
	if (!may_send(p, dst))
		return VM_ECALLDENIED;
	if (receiving_from(dst, p->endpt)) {
		__builtin_memset(&m, 0, sizeof(m));
		m.m_source = p->endpt;
		m.m_type = NOTIFY_MESSAGE;
		deliver(dst, &m, IPC_FLG_NOTIFY);
	} else {
		dst->notify_pending[p->slot / 32] |= 1u << (p->slot % 32);
	}
	return VM_OK;
}

/* The IPC trap: eax = op, ebx = endpoint, ecx = message address. */
void ipc_trap(struct proc *p)
{
	endpoint_t ep = (endpoint_t)p->tf.ebx;
	uint32_t va = p->tf.ecx;
	int r;

#ifdef KERNEL_FUZZ
	/* The agent talks to VM only through its kernel calls; VM's sends are diverted
	 * to the agent (VM only ever replies, with non-blocking sends). */
	if (p == &k.fz.agent) {
		p->tf.eax = (uint32_t)VM_ECALLDENIED;
		return;
	}
	if (p == k.vm && (p->tf.eax == IPC_SEND || p->tf.eax == IPC_SENDNB || p->tf.eax == IPC_SENDREC)) {
		p->tf.eax = (uint32_t)fz_vm_send(p, ep, va);
		return;
	}
#endif
	switch (p->tf.eax) {
	case IPC_SEND:    r = do_send(p, ep, va, 0, 0); break;
	case IPC_SENDNB:  r = do_send(p, ep, va, 1, 0); break;
	case IPC_SENDREC: r = do_send(p, ep, va, 0, 1); break;
	case IPC_RECEIVE: r = do_receive(p, ep, va); break;
	case IPC_NOTIFY:  r = do_notify(p, ep); break;
	default:          r = VM_EBADCALL; break;
	}
	if (r != SUSPENDED)
		p->tf.eax = (uint32_t)r;
}

void ipc_pagefault(struct proc *p)
{
	struct proc *vm = k.vm;
	message m;

	p->rts |= RTS_PAGEFAULT;
	if (receiving_from(vm, p->endpt)) {
		pf_message(p, &m);
		if (deliver(vm, &m, IPC_FLG_MSG_FROM_KERNEL) != VM_OK)
			kpanic("cannot deliver a page fault to VM");
		return;
	}
	p->pf_queued = 1;
	queue_append(vm, p);
}
