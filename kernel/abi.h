/* abi.h - the trap interface between ring-3 programs (kernel/lib) and the kernel.
 *
 * IPC trap (int IPC_VECTOR): eax = IPC_* op, ebx = endpoint, ecx = message address.
 *   Returns eax = VM_OK or a negative errno, ebx = receive status (IPC_FLG_* bits).
 * Kernel-call trap (int KCALL_VECTOR): eax = KC_* number, ebx, ecx, edx, esi, edi =
 *   arguments.  Returns eax = VM_OK or a negative errno, edx = an extra result. */
#ifndef KERNEL_ABI_H
#define KERNEL_ABI_H

#define IPC_VECTOR   0x30
#define KCALL_VECTOR 0x31

/* IPC primitives, MINIX numbering. */
#define IPC_SEND    1
#define IPC_RECEIVE 2
#define IPC_SENDREC 3
#define IPC_NOTIFY  4
#define IPC_SENDNB  5

/* Kernel calls; bit n of a process's kernel-call mask allows call n. */
#define KCALLS(K)                    \
	K(0, BOOTINFO, bootinfo)     \
	K(1, FORK, fork)             \
	K(2, FORK_ABORT, fork_abort) \
	K(3, EXIT, exit)             \
	K(4, ADDRSPACE, addrspace)   \
	K(5, FLUSH_TLB, flush_tlb)   \
	K(6, CLEAR_PF, clear_pf)     \
	K(7, KILL, kill)             \
	K(8, COPY, copy)             \
	K(9, PRIVQUERY_MEM, privquery_mem) \
	K(10, UPDATE, update)        \
	K(11, PRINT, print)          \
	K(12, SHUTDOWN, shutdown)

/* The fuzz image (KERNEL_FUZZ) only: the agent's calls (input, process table, fault
 * schedule, forged messages, process memory accesses, control requests to VM, the boot
 * description, reads of present memory, the snapshot of many inputs per boot) and
 * VM's fuzz seam (fault hits, trace events, panic, idle report, control answers);
 * both may ask where the memory shared with the host is (FZ_SHM, make fuzz-qemu).
 * kernel/fuzz_abi.h describes them. */
#ifdef KERNEL_FUZZ
#define KCALLS_FUZZ(K)                   \
	K(13, FZ_INPUT, fz_input)        \
	K(14, FZ_PROCS, fz_procs)        \
	K(15, FZ_FAULT, fz_fault)        \
	K(16, FZ_MSG, fz_msg)            \
	K(17, FZ_ACCESS, fz_access)      \
	K(18, FZ_CTL, fz_ctl)            \
	K(19, FZ_HIT, fz_hit)            \
	K(20, FZ_TRACE, fz_trace)        \
	K(21, FZ_PANIC, fz_panic)        \
	K(22, FZ_IDLE, fz_idle)          \
	K(23, FZ_CTLDONE, fz_ctldone)    \
	K(24, FZ_BOOTINFO, fz_bootinfo)  \
	K(25, FZ_PEEK, fz_peek)          \
	K(29, FZ_SNAP, fz_snap)          \
	K(30, FZ_SHM, fz_shm)
#else
#define KCALLS_FUZZ(K)
#endif
/* The plain image's console and monitor calls (kernel/sysinfo.c, kernel/monitor_abi.h):
 * a character from the serial console, system facts (uptime, boot arguments, a process
 * slot), and a control request to VM (its sanity level and a check). */
#define KCALLS_MONITOR(K)                    \
	K(26, CONSOLE_GETC, console_getc)    \
	K(27, SYSINFO, sysinfo)              \
	K(28, VMCTL, vmctl)
/* PM's process control (kernel/pmctl.c), in both images (only PM's mask has it): the
 * exec of a process (new entry and stack), the stack pointer of a process that waits
 * for PM, and the delivery of a signal to a handler.  Subcodes PMCTL_*. */
#define KCALLS_PM(K) \
	K(31, PMCTL, pmctl)
/* In number order: KC_COUNT follows the last. */
#define KCALLS_ALL(K) KCALLS(K) KCALLS_MONITOR(K) KCALLS_FUZZ(K) KCALLS_PM(K)

/* kc_pmctl(PMCTL_*, ep, ...): ep must be a live process other than VM that waits for
 * the caller's reply (blocked in the receive of a sendrec to the caller), else
 * VM_EINVAL.  That wait ends: PM's reply is replaced by the new registers. */
#define PMCTL_EXEC   1 /* (ep, ip, sp): the registers of a fresh image: eip = ip, esp = sp */
#define PMCTL_GETSP  2 /* (ep): out = ep's stack pointer (where VM_PUSH_SIG puts the frame) */
#define PMCTL_SIGNAL 3 /* (ep, frame, handler, signo): write [0, signo] at frame (a call of
			* handler(signo) that must not return; VM_EFAULT unless present and
			* writable), then esp = frame, eip = handler.  frame lies in the
			* VM_SIGFRAME_BYTES below ep's stack pointer. */

enum kcall_num {
#define KC_ENUM(n, NAME, name) KC_##NAME = (n),
	KCALLS_ALL(KC_ENUM)
#undef KC_ENUM
	KC_COUNT
};
#define KC_BIT(n) (1u << (n))
/* VM may make every kernel call (shutdown: its panic ends the run); servers may
 * print; init may print and shut down. */
#define KC_MASK_BASE ((1u << (KC_SHUTDOWN + 1)) - 1)
#ifdef KERNEL_FUZZ
#define KC_MASK_VM   (KC_MASK_BASE | KC_BIT(KC_FZ_HIT) | KC_BIT(KC_FZ_TRACE) | KC_BIT(KC_FZ_PANIC) | \
		      KC_BIT(KC_FZ_IDLE) | KC_BIT(KC_FZ_CTLDONE) | KC_BIT(KC_FZ_SHM))
#define KC_MASK_AGENT (KC_BIT(KC_PRINT) | KC_BIT(KC_SHUTDOWN) | KC_BIT(KC_FZ_INPUT) | KC_BIT(KC_FZ_PROCS) | \
		       KC_BIT(KC_FZ_FAULT) | KC_BIT(KC_FZ_MSG) | KC_BIT(KC_FZ_ACCESS) | KC_BIT(KC_FZ_CTL) | \
		       KC_BIT(KC_FZ_BOOTINFO) | KC_BIT(KC_FZ_PEEK) | KC_BIT(KC_FZ_SNAP) | KC_BIT(KC_SYSINFO) | \
		       KC_BIT(KC_FZ_SHM))
#else
#define KC_MASK_VM   KC_MASK_BASE
#endif
#define KC_MASK_SYS  KC_BIT(KC_PRINT)
#define KC_MASK_PM   (KC_BIT(KC_PRINT) | KC_BIT(KC_PMCTL))
#define KC_MASK_INIT (KC_BIT(KC_PRINT) | KC_BIT(KC_SHUTDOWN) | KC_BIT(KC_CONSOLE_GETC) | KC_BIT(KC_SYSINFO) | \
		      KC_BIT(KC_VMCTL))

/* shutdown(status): status 0 is success.  QEMU's isa-debug-exit device turns the
 * value written to its port into exit code (value << 1) | 1; the kernel writes
 * DEBUG_EXIT_BASE + status, so success exits with 33. */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_BASE 0x10

#endif
