/* sysinfo.c - the plain image's console and monitor kernel calls (kernel/monitor_abi.h):
 * init's soak and monitor read the console, ask for system facts and send VM control
 * requests through them.  Only init's kernel-call mask holds them. */
#include "kernel.h"
#include "monitor_abi.h"

#define COM1 0x3F8

/* CONSOLE_GETC(): out = the next character received on COM1, VM_EAGAIN when none. */
int kc_console_getc(struct proc *caller, struct kargs *x)
{
	(void)caller;
	if (!(inb(COM1 + 5) & 0x01))
		return VM_EAGAIN;
	x->out = inb(COM1);
	return VM_OK;
}

/* The facts SI_PROC reports about p. */
static void proc_facts(const struct proc *p, struct si_proc *sp)
{
	__builtin_memset(sp, 0, sizeof(*sp));
	sp->endpt = NONE;
	sp->gen = p->gen;
	if (p->rts & RTS_SLOT_FREE)
		return;
	sp->endpt = p->endpt;
	sp->flags = SIP_INUSE | ((p->rts & RTS_KILLED) ? SIP_KILLED : 0) |
		    ((p->rts & RTS_PAGEFAULT) ? SIP_PAGEFAULT : 0) |
		    ((p->rts & (RTS_SENDING | RTS_RECEIVING)) ? SIP_BLOCKED : 0);
	__builtin_memcpy(sp->name, p->name, sizeof(sp->name));
}

/* SYSINFO(what, arg, buf): out = the fact, or struct si_proc into buf. */
int kc_sysinfo(struct proc *caller, struct kargs *x)
{
	struct si_proc sp;

	switch (x->a) {
	case SI_UPTIME_MS:
		x->out = k.ticks * 10;
		return VM_OK;
	case SI_SOAK:
		x->out = k.soak_cycles;
		return VM_OK;
	case SI_MONITOR:
		x->out = (uint32_t)k.monitor;
		return VM_OK;
	case SI_PROC:
		if (x->b >= NR_PROCS)
			return VM_EINVAL;
		proc_facts(&k.proc[x->b], &sp);
		return copy_to_user(caller, x->c, &sp, sizeof(sp));
	default:
		return VM_EINVAL;
	}
}

/* VMCTL(op, arg): a kernel message for VM's seam, delivered now (VM must be waiting
 * for any message, as it is whenever it has nothing to do). */
int kc_vmctl(struct proc *caller, struct kargs *x)
{
	struct proc *vm = k.vm;
	message m;

	(void)caller;
	if (!vm || !(vm->rts & RTS_RECEIVING) || vm->held || vm->getfrom != ANY)
		return VM_EBUSY;
	__builtin_memset(&m, 0, sizeof(m));
	m.m_source = KERNEL;
	m.m_type = VMCTL_TYPE;
	m.u.word[0] = x->a;
	m.u.word[1] = x->b;
	return ipc_deliver(vm, &m, IPC_FLG_MSG_FROM_KERNEL | IPC_FLG_VMCTL);
}
