/* trap.c - every interrupt, exception and trap lands in trap(): faults of ring-3
 * processes go to VM (page faults) or stop the process; IPC and kernel calls are
 * dispatched; the timer ends the quantum.  Faults in the kernel or in VM panic. */
#include "kernel.h"

static const char *const exc_name[20] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound", "invalid opcode",
	"no FPU", "double fault", "coprocessor overrun", "bad TSS", "segment not present",
	"stack fault", "general protection", "page fault", "reserved", "FPU error",
	"alignment check", "machine check", "SIMD error",
};

static void dump(const struct trapframe *tf)
{
	kprintf("  eip %08x cs %x eflags %08x err %x cr2 %08x\n", tf->eip, tf->cs, tf->eflags, tf->err,
		read_cr2());
	kprintf("  eax %08x ebx %08x ecx %08x edx %08x esi %08x edi %08x ebp %08x\n", tf->eax,
		tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp);
}

static const char *trap_name(uint32_t vec)
{
	return vec < 20 ? exc_name[vec] : "unknown trap";
}

/* A hardware interrupt: acknowledge it; the timer ends the running quantum. */
static void irq(uint32_t vec)
{
	int n = (int)vec - IRQ_BASE;

	if (n == 0) {
		k.ticks++;
		k.preempt = 1;
	}
	pic_eoi(n);
}

/* An exception raised by ring-3 process p. */
static void user_fault(struct proc *p, const struct trapframe *tf)
{
	if (p == k.vm) {
#ifdef KERNEL_FUZZ
		fz_vm_fault(tf); /* the agent reports a crash */
		return;
#endif
		dump(tf);
		kpanic("%s in VM at eip 0x%x (addr 0x%x)", trap_name(tf->vec), tf->eip, read_cr2());
	}
	if (tf->vec == T_PGFLT) {
		p->pf_addr = read_cr2();
		p->pf_err = tf->err;
		ipc_pagefault(p);
		return;
	}
	dump(tf);
	proc_kill(p, SIGSEGV, trap_name(tf->vec));
}

void trap(struct trapframe *tf)
{
	if ((tf->cs & 3) == 0) {
		if (tf->vec >= IRQ_BASE && tf->vec < IRQ_BASE + 16) {
			irq(tf->vec);
			return;
		}
		dump(tf);
		kpanic("%s in the kernel at eip 0x%x", trap_name(tf->vec), tf->eip);
	}
	struct proc *p = k.cur;
	p->tf = *tf;
	if (tf->vec == IPC_VECTOR)
		ipc_trap(p);
	else if (tf->vec == KCALL_VECTOR)
		kcall_trap(p);
	else if (tf->vec >= IRQ_BASE && tf->vec < IRQ_BASE + 16)
		irq(tf->vec);
	else
		user_fault(p, tf);
	sched_return();
}
